"""Ten weeks of a living club, made up for the demo: requests, jobs, work logs, editions.

`flask seed-demo` calls `load_demo_activity()` after the institution and the demo accounts,
so a newcomer finds a queue to triage, a board for every workshop and reports with figures.
Every request goes through the real services with a demo actor (the coordinator, the
group's instructor or the resident), so its history, version, rules and totals are the
portal's own. The services stamp "now"; each step is then moved back to a plausible moment
of the last ten weeks, counted from today so the demo stays fresh. Only timestamps (and the
year in the reference of a request sent last year) are written directly.

Names, phone numbers (600 000 0xx, 500 100 2xx), addresses and institutions are made up;
e-mail addresses end in example.invalid, and whatever the services queued in the outbox
for these requests is deleted, so the mail worker sends nothing. Nothing is random: the
same day gives the same demo. It is loaded once: a request with a demo submission key
means it is there.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update

from .. import references, services
from ..domain import lifecycle
from ..domain.actor import Actor
from ..domain.lifecycle import Role, Status
from ..extensions import db
from ..models import (
    AfterProgramme,
    Channel,
    ConsentMethod,
    EventKind,
    Gender,
    NotDoneReason,
    OutboxMessage,
    Outcome,
    ParticipationEnd,
    ProgrammeEdition,
    Project,
    ReferenceCounter,
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
    Trainee,
    User,
    WorkSession,
    WorkshopGroup,
)
from ..services import custody, programme, worklog

KEY_PREFIX = "demo:"
# The least time between two steps of one request.
GAP = timedelta(minutes=20)

TAILORING, UPHOLSTERY, RENOVATION = "tailoring", "upholstery", "renovation"

# Programme editions: number, first and last day in days before today (negative: ahead).
# The paper count before the portal holds the first 17 editions.
EDITIONS = ((18, 182, 43), (19, 42, -110))

# edition, name, workshop (category code), gender, still in the programme
TRAINEES = (
    (18, "Agnieszka Duda", TAILORING, Gender.FEMALE, True),
    (18, "Beata Sowa", TAILORING, Gender.FEMALE, True),
    (18, "Renata Kubiak", TAILORING, Gender.FEMALE, True),
    (18, "Marek Zając", UPHOLSTERY, Gender.MALE, True),
    (18, "Krystyna Lis", UPHOLSTERY, Gender.FEMALE, True),
    (18, "Tomasz Bąk", UPHOLSTERY, Gender.MALE, True),
    (18, "Paweł Wilk", RENOVATION, Gender.MALE, True),
    (18, "Dariusz Kos", RENOVATION, Gender.MALE, True),
    (18, "Jolanta Pawlak", RENOVATION, Gender.FEMALE, True),
    (19, "Ewa Marczak", TAILORING, Gender.FEMALE, True),
    (19, "Danuta Szulc", TAILORING, Gender.FEMALE, True),
    (19, "Łukasz Cebula", TAILORING, Gender.MALE, True),
    (19, "Grzegorz Sikora", UPHOLSTERY, Gender.MALE, True),
    (19, "Monika Rak", UPHOLSTERY, Gender.FEMALE, True),
    (19, "Piotr Czajka", UPHOLSTERY, Gender.MALE, True),
    (19, "Robert Kruk", RENOVATION, Gender.MALE, True),
    (19, "Sławomir Gil", RENOVATION, Gender.MALE, True),
    (19, "Aneta Fijałkowska", RENOVATION, Gender.FEMALE, True),
    (19, "Kamil Kowal", RENOVATION, Gender.MALE, False),
)


# --- The script of each request -------------------------------------------------------------

SENT, NOTE, CORRECTED, WORKED, DONE, NOT_DONE, RESIDENT_CANCELLED = (
    "sent",
    "note",
    "corrected",
    "worked",
    "done",
    "not_done",
    "resident_cancelled",
)
# Any other step kind is the status the request moves to.
OFFICE_MOVES = frozenset(
    {
        Status.NEEDS_INFO,
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.DECLINED,
        Status.CANCELLED,
        Status.DUPLICATE,
    }
)


@dataclass(frozen=True)
class Step:
    kind: str
    days_ago: int
    text: str = ""
    hours: tuple[str, ...] = ()
    visit_days_ago: int = 0
    changes: dict = field(default_factory=dict)


def sent(days_ago: int) -> Step:
    return Step(SENT, days_ago)


def asked(days_ago: int, question: str) -> Step:
    return Step(Status.NEEDS_INFO, days_ago, question)


def answered(days_ago: int) -> Step:
    return Step(Status.SUBMITTED, days_ago, "Dziękujemy za odpowiedź – wracamy do zgłoszenia.")


def accepted(days_ago: int, note: str = "") -> Step:
    return Step(Status.ACCEPTED, days_ago, note)


def scheduled(days_ago: int, visit_days_ago: int) -> Step:
    return Step(Status.SCHEDULED, days_ago, visit_days_ago=visit_days_ago)


def started(days_ago: int) -> Step:
    return Step(Status.IN_PROGRESS, days_ago)


def worked(days_ago: int, description: str, *hours: str) -> Step:
    return Step(WORKED, days_ago, description, hours)


def ready(days_ago: int) -> Step:
    return Step(Status.READY, days_ago, "Do odbioru w pracowni, poniedziałek–piątek 8:00–14:00.")


def done(days_ago: int, work_done: str) -> Step:
    return Step(DONE, days_ago, work_done)


def not_done(days_ago: int, reason: str) -> Step:
    return Step(NOT_DONE, days_ago, reason)


def declined(days_ago: int, reason: str) -> Step:
    return Step(Status.DECLINED, days_ago, reason)


def cancelled(days_ago: int, reason: str) -> Step:
    return Step(Status.CANCELLED, days_ago, reason)


def cancelled_by_resident(days_ago: int, reason: str) -> Step:
    return Step(RESIDENT_CANCELLED, days_ago, reason)


def duplicate_of(days_ago: int, key: str) -> Step:
    """Closed as repeating the demo request with that key (sent before this one)."""
    return Step(Status.DUPLICATE, days_ago, changes={"of": key})


def note(days_ago: int, text: str) -> Step:
    return Step(NOTE, days_ago, text)


def corrected(days_ago: int, **changes: str) -> Step:
    return Step(CORRECTED, days_ago, changes=changes)


@dataclass(frozen=True)
class DemoRequest:
    key: str
    category: str
    channel: Channel
    name: str
    phone: str
    description: str
    steps: tuple[Step, ...]
    address: str | None = None
    email: str | None = None
    contact_time: str | None = None
    senior: bool = True
    assisted: bool = False
    institution: tuple[str, str] | None = None  # name, contact person


# The answers to the services' own questions (opole.toml), by request. Online requests
# answer the required ones; staff left some open on the phone, as happens.
ANSWERS = {
    "krawiectwo-01": {"garment": "dwie pary spodni", "alteration": "shorten"},
    "krawiectwo-02": {"garment": "kurtka zimowa", "alteration": "zip"},
    "krawiectwo-03": {"garment": "spódnica", "alteration": "shorten"},
    "krawiectwo-04": {"garment": "zasłony", "alteration": "shorten"},
    "krawiectwo-05": {"garment": "sweter i płaszcz", "alteration": "mend"},
    "krawiectwo-06": {"garment": "marynarka", "alteration": "shorten"},
    "krawiectwo-07": {"garment": "spodnie robocze", "alteration": "zip"},
    "krawiectwo-08": {"garment": "sweter, płaszcz", "alteration": "mend"},
    "krawiectwo-09": {"garment": "zasłony, narzuta", "alteration": "mend"},
    "krawiectwo-10": {"garment": "spodnie", "alteration": "other"},
    "krawiectwo-11": {"garment": "płaszcz", "alteration": "mend"},
    "krawiectwo-12": {"garment": "sukienka", "alteration": "other"},
    "krawiectwo-13": {"garment": "spodnie garniturowe", "alteration": "shorten"},
    "krawiectwo-14": {"garment": "torba na zakupy", "alteration": "zip"},
    "krawiectwo-15": {"garment": "sweter"},
    "krawiectwo-16": {"garment": "spodnie"},
    "meble-01": {"item": "krzesło", "can_bring": "yes"},
    "meble-02": {"item": "fotel", "can_bring": "yes"},
    "meble-03": {"item": "dwie szafki", "can_bring": "yes"},
    "meble-04": {"item": "komoda", "can_bring": "no"},
    "meble-05": {"item": "stolik kawowy", "can_bring": "yes"},
    "meble-06": {"item": "cztery krzesła", "can_bring": "yes"},
    "meble-07": {"item": "szafa", "can_bring": "no"},
    "meble-08": {"item": "taboret", "can_bring": "yes"},
    "meble-09": {"item": "kanapa", "can_bring": "no"},
    "meble-10": {"item": "stół", "can_bring": "yes"},
    "meble-11": {"item": "kredens"},
    "meble-12": {"item": "krzesło", "can_bring": "yes"},
    "meble-13": {"item": "szafka nocna", "can_bring": "yes"},
    "remont-01": {"room": "pokój", "size": "12"},
    "remont-02": {"room": "łazienka"},
    "remont-03": {"room": "sala spotkań", "size": "30"},
    "remont-04": {"room": "kuchnia"},
    "remont-05": {"room": "przedpokój i pokój"},
    "remont-06": {"room": "przedpokój, kuchnia"},
    "remont-07": {"room": "kuchnia"},
    "remont-08": {"room": "łazienka"},
    "remont-09": {"room": "kuchnia", "size": "8"},
    "remont-10": {"room": "kuchnia"},
    "remont-11": {"room": "przedpokój"},
    "remont-12": {"room": "pokój i przedpokój"},
    "remont-13": {"room": "łazienka"},
}


REQUESTS = (
    # --- Tailoring ------------------------------------------------------------------------
    DemoRequest(
        "krawiectwo-01",
        TAILORING,
        Channel.ONLINE,
        "Halina Wróbel",
        "600 000 001",
        "Proszę o skrócenie dwóch par spodni o około 4 cm. Spodnie są wełniane, "
        "jedna para ma mankiety.",
        (
            sent(68),
            accepted(67),
            started(64),
            worked(64, "Skrócenie nogawek dwóch par spodni, odszycie mankietów.", "2", "1.5"),
            ready(63),
            done(59, "Skrócono dwie pary spodni o 4 cm, mankiety odszyto na nowo."),
        ),
        email="halina.wrobel@example.invalid",
        contact_time="po południu",
    ),
    DemoRequest(
        "krawiectwo-02",
        TAILORING,
        Channel.PHONE,
        "Zdzisław Kaczmarek",
        "500 100 201",
        "Wymiana zamka błyskawicznego w kurtce zimowej – zamek się rozchodzi. "
        "Nowy zamek kupię sam.",
        (
            sent(61),
            accepted(60),
            scheduled(60, 57),
            started(57),
            worked(57, "Wypruwanie starego zamka, dopasowanie nowego.", "2", "2"),
            worked(56, "Wszycie zamka, przeszycie listwy.", "1.5"),
            ready(56),
            done(52, "Wymieniono zamek w kurtce zimowej na nowy, dostarczony przez mieszkańca."),
        ),
        assisted=True,
    ),
    DemoRequest(
        "krawiectwo-03",
        TAILORING,
        Channel.IN_PERSON,
        "Teresa Górecka",
        "600 000 003",
        "Zwężenie spódnicy w talii o około 3 cm i skrócenie jej o 5 cm.",
        (
            sent(54),
            accepted(53),
            started(50),
            worked(50, "Zwężenie spódnicy w talii, skrócenie i podszycie.", "2.5", "1"),
            ready(49),
            done(46, "Zwężono spódnicę w talii o 3 cm i skrócono o 5 cm."),
        ),
    ),
    DemoRequest(
        "krawiectwo-04",
        TAILORING,
        Channel.INSTITUTION,
        "Maria Nowicka",
        "500 100 204",
        "Skrócenie i obszycie sześciu zasłon do sali spotkań klubu (okna mają 2,20 m wysokości).",
        (
            sent(47),
            accepted(46),
            scheduled(46, 43),
            started(43),
            worked(
                43, "Pomiar i cięcie zasłon, obszycie dolnej krawędzi trzech z nich.", "3", "3", "2"
            ),
            worked(42, "Obszycie pozostałych trzech zasłon, prasowanie.", "3", "2.5"),
            ready(41),
            done(38, "Skrócono i obszyto sześć zasłon do sali spotkań klubu."),
        ),
        senior=False,
        institution=("Klub Seniora „Złota Jesień”", "Maria Nowicka, opiekunka klubu"),
    ),
    DemoRequest(
        "krawiectwo-05",
        TAILORING,
        Channel.ONLINE,
        "Jadwiga Mazur",
        "600 000 005",
        "Zacerowanie dziury na łokciu swetra i przyszycie guzików do płaszcza.",
        (
            sent(36),
            accepted(35),
            started(33),
            worked(33, "Cerowanie swetra, przyszycie czterech guzików.", "1.5"),
            ready(33),
            done(29, "Zacerowano sweter na łokciu i przyszyto guziki do płaszcza."),
        ),
    ),
    DemoRequest(
        "krawiectwo-06",
        TAILORING,
        Channel.PHONE,
        "Stanisława Kowalczyk",
        "500 100 206",
        "Skrócenie rękawów marynarki o 2 cm.",
        (
            sent(16),
            accepted(15),
            started(12),
            worked(12, "Skrócenie rękawów marynarki, przeniesienie guzików.", "2", "1"),
            ready(10),
        ),
        assisted=True,
        contact_time="rano, do 11:00",
    ),
    DemoRequest(
        "krawiectwo-07",
        TAILORING,
        Channel.ONLINE,
        "Krzysztof Baran",
        "600 000 007",
        "Wymiana zamka w spodniach roboczych i naszycie łat na kolanach.",
        (
            sent(11),
            accepted(10),
            started(6),
            worked(6, "Wypruwanie zepsutego zamka, przygotowanie łat.", "1.5", "1.5"),
        ),
        email="k.baran@example.invalid",
    ),
    DemoRequest(
        "krawiectwo-08",
        TAILORING,
        Channel.IN_PERSON,
        "Genowefa Michalska",
        "600 000 008",
        "Naszycie łat na łokcie swetra męża i poprawienie podszewki w płaszczu.",
        (sent(6), accepted(5), scheduled(4, -2)),
    ),
    DemoRequest(
        "krawiectwo-09",
        TAILORING,
        Channel.PHONE,
        "Irena Walczak",
        "500 100 209",
        "Podszycie zasłon i naprawa rozprutego szwu w narzucie na łóżko.",
        (sent(3), accepted(2)),
        assisted=True,
    ),
    DemoRequest(
        "krawiectwo-10",
        TAILORING,
        Channel.ONLINE,
        "Wanda Szymańska",
        "600 000 010",
        "Poszerzenie spodni w pasie o około 3 cm – w szwie jest zapas materiału.",
        (sent(1),),
    ),
    DemoRequest(
        "krawiectwo-11",
        TAILORING,
        Channel.ONLINE,
        "Bogumiła Zawadzka",
        "600 000 011",
        "Naprawa płaszcza.",
        (
            sent(4),
            asked(
                3,
                "Prosimy napisać albo powiedzieć przez telefon, co trzeba naprawić w płaszczu "
                "(np. podszewkę, zamek, guziki, długość).",
            ),
        ),
    ),
    DemoRequest(
        "krawiectwo-12",
        TAILORING,
        Channel.ONLINE,
        "Agata Pietrzak",
        "600 000 012",
        "Uszycie sukienki na wesele córki z mojego materiału.",
        (
            sent(40),
            declined(
                39,
                "Nie szyjemy nowych ubrań na zamówienie – wykonujemy przeróbki i naprawy. "
                "Chętnie skrócimy albo dopasujemy gotową sukienkę.",
            ),
        ),
        senior=False,
        assisted=True,
    ),
    DemoRequest(
        "krawiectwo-13",
        TAILORING,
        Channel.ONLINE,
        "Eugeniusz Wójcik",
        "600 000 013",
        "Skrócenie spodni garniturowych o 3 cm.",
        (
            sent(22),
            accepted(21),
            cancelled_by_resident(19, "Spodnie skrócił już zakład krawiecki na moim osiedlu."),
        ),
    ),
    DemoRequest(
        "krawiectwo-14",
        TAILORING,
        Channel.PHONE,
        "Leokadia Adamczyk",
        "500 100 214",
        "Wszycie nowego zamka w torbie na zakupy i przyszycie urwanej rączki.",
        (
            sent(9),
            accepted(8),
            started(5),
            worked(5, "Wszycie zamka w torbie, przyszycie rączki.", "1.5"),
            ready(4),
            done(1, "Wszyto nowy zamek i mocno przyszyto rączkę torby."),
        ),
    ),
    # --- Furniture and upholstery ---------------------------------------------------------
    DemoRequest(
        "meble-01",
        UPHOLSTERY,
        Channel.PHONE,
        "Henryk Jankowski",
        "500 100 221",
        "Renowacja krzesła – chwieje się, oparcie odkleja się od siedziska.",
        (
            sent(66),
            accepted(65),
            started(62),
            worked(62, "Rozebranie krzesła, oczyszczenie czopów ze starego kleju.", "3", "2.5"),
            worked(61, "Klejenie i ściskanie ramy krzesła.", "2", "2"),
            ready(58),
            done(55, "Krzesło rozebrano, sklejono na nowo i wzmocniono – już się nie chwieje."),
        ),
    ),
    DemoRequest(
        "meble-02",
        UPHOLSTERY,
        Channel.ONLINE,
        "Barbara Kozłowska",
        "600 000 022",
        "Obicie fotela – materiał przetarty na podłokietnikach, pianka się kruszy. "
        "Nowy materiał kupię sama.",
        (
            sent(63),
            asked(62, "Czy fotel ma sprężyny? Ile metrów materiału Pani kupiła?"),
            answered(60),
            note(60, "Mieszkanka oddzwoniła: fotel bez sprężyn, ma 3 m materiału."),
            accepted(60),
            scheduled(59, 55),
            started(55),
            worked(55, "Zdjęcie starego obicia i pianki.", "3", "2"),
            worked(54, "Nowa pianka, obicie siedziska i oparcia.", "4", "3.5"),
            worked(51, "Obicie podłokietników, wykończenie lamówką.", "3", "3"),
            ready(50),
            done(45, "Fotel obito materiałem mieszkanki, wymieniono piankę siedziska i oparcia."),
        ),
        email="b.kozlowska@example.invalid",
    ),
    DemoRequest(
        "meble-03",
        UPHOLSTERY,
        Channel.INSTITUTION,
        "Jan Dudek",
        "500 100 223",
        "Wymiana zawiasów i uchwytów w dwóch szafkach ze świetlicy; jedna półka jest pęknięta.",
        (
            sent(44),
            accepted(43),
            started(40),
            worked(40, "Wymiana zawiasów w dwóch szafkach, regulacja drzwiczek.", "2.5", "2.5"),
            worked(39, "Docięcie i montaż nowej półki, wymiana uchwytów.", "3", "2"),
            done(36, "Wymieniono zawiasy i uchwyty w dwóch szafkach, dorobiono nową półkę."),
        ),
        senior=False,
        institution=("Stowarzyszenie „Sąsiedzka Pomoc”", "Jan Dudek, prezes"),
    ),
    DemoRequest(
        "meble-04",
        UPHOLSTERY,
        Channel.ONLINE,
        "Tadeusz Wojciechowski",
        "600 000 024",
        "Naprawa komody – szuflady wypadają, prowadnice są połamane.",
        (
            sent(34),
            accepted(33),
            started(30),
            worked(30, "Oględziny komody, próba wymiany prowadnic.", "1.5"),
            not_done(
                28,
                "Korpus komody z płyty wiórowej jest rozwarstwiony i nie utrzyma nowych "
                "prowadnic, więc naprawa nie jest możliwa. Komodę można odebrać z pracowni.",
            ),
        ),
    ),
    DemoRequest(
        "meble-05",
        UPHOLSTERY,
        Channel.IN_PERSON,
        "Czesława Grabowska",
        "600 000 025",
        "Odnowienie stolika kawowego – porysowany blat, odpryski lakieru.",
        (
            sent(20),
            accepted(19),
            started(14),
            worked(14, "Szlifowanie blatu i nóg.", "3", "2.5"),
            worked(13, "Bejcowanie i pierwsza warstwa lakieru.", "2", "2"),
            worked(11, "Druga warstwa lakieru, polerowanie.", "1.5"),
            ready(8),
            note(8, "Mieszkanka odbierze stolik z synem, prosi o telefon dzień wcześniej."),
        ),
        assisted=True,
    ),
    DemoRequest(
        "meble-06",
        UPHOLSTERY,
        Channel.PHONE,
        "Ryszard Michalak",
        "500 100 226",
        "Obicie czterech krzeseł kuchennych – siedziska są poplamione i przetarte. "
        "Materiał zapewnię.",
        (
            sent(14),
            accepted(13),
            scheduled(12, 8),
            started(8),
            worked(8, "Zdjęcie starych obić z czterech krzeseł.", "2", "2"),
            worked(5, "Nowe obicie dwóch siedzisk.", "3", "2.5"),
        ),
    ),
    DemoRequest(
        "meble-07",
        UPHOLSTERY,
        Channel.ONLINE,
        "Elżbieta Witkowska",
        "600 000 027",
        "Naprawa drzwiczek szafy – wyrwany zawias, drzwiczki opadają.",
        (sent(7), accepted(6), scheduled(5, -3)),
    ),
    DemoRequest(
        "meble-08",
        UPHOLSTERY,
        Channel.PHONE,
        "Marianna Kamińska",
        "500 100 228",
        "Wymiana obicia taboretu i sklejenie poluzowanej nogi.",
        (sent(5), accepted(3)),
        assisted=True,
    ),
    DemoRequest(
        "meble-09",
        UPHOLSTERY,
        Channel.ONLINE,
        "Józef Sadowski",
        "600 000 029",
        "Kanapa – pękła rama pod siedziskiem, przy siadaniu słychać trzask. "
        "Nie dam rady przywieźć jej do pracowni.",
        (sent(0),),
    ),
    DemoRequest(
        "meble-10",
        UPHOLSTERY,
        Channel.ONLINE,
        "Alicja Krawczyk",
        "600 000 030",
        "Naprawa stołu.",
        (
            sent(6),
            asked(
                5,
                "Co dokładnie trzeba naprawić w stole i czy da się go przywieźć do pracowni? "
                "Prosimy też o przybliżone wymiary blatu.",
            ),
        ),
        senior=False,
        assisted=True,
    ),
    DemoRequest(
        "meble-11",
        UPHOLSTERY,
        Channel.PHONE,
        "Władysław Olszewski",
        "500 100 231",
        "Renowacja zabytkowego kredensu po babci – odnowienie całości razem z rzeźbieniami.",
        (
            sent(27),
            note(27, "Kredens rzeźbiony, bardzo stary – raczej praca dla konserwatora."),
            declined(
                25,
                "Odnawianie zabytkowych, rzeźbionych mebli wymaga konserwatora zabytków – "
                "takich prac nie wykonujemy. Możemy pomóc przy drobnej naprawie, "
                "np. okuć albo szuflad.",
            ),
        ),
    ),
    DemoRequest(
        "meble-12",
        UPHOLSTERY,
        Channel.IN_PERSON,
        "Zofia Jaworska",
        "600 000 032",
        "Sklejenie nogi krzesła.",
        (
            sent(18),
            accepted(17),
            cancelled(15, "Mieszkanka zadzwoniła, że krzesło naprawił już sąsiad."),
        ),
    ),
    DemoRequest(
        "meble-13",
        UPHOLSTERY,
        Channel.ONLINE,
        "Mirosław Ostrowski",
        "600 000 033",
        "Wymiana uchwytów w szafce nocnej, szuflada się zacina.",
        (
            sent(10),
            accepted(9),
            started(6),
            worked(6, "Wymiana uchwytów, wyrównanie i natłuszczenie prowadnic szuflady.", "2"),
            ready(3),
            done(2, "Wymieniono uchwyty, szuflada chodzi lekko."),
        ),
    ),
    # --- Small renovations at home --------------------------------------------------------
    DemoRequest(
        "remont-01",
        RENOVATION,
        Channel.PHONE,
        "Kazimierz Zieliński",
        "500 100 241",
        "Malowanie pokoju około 12 m², ściany i sufit. Farbę już kupiłem.",
        (
            sent(69),
            accepted(68),
            scheduled(67, 62),
            started(62),
            worked(
                62, "Zabezpieczenie mebli i podłogi, gruntowanie, pierwsza warstwa.", "6", "6", "5"
            ),
            worked(61, "Druga warstwa na ścianach i suficie, sprzątanie.", "5", "5"),
            done(61, "Pomalowano pokój (ściany i sufit); meble i podłogę zabezpieczono."),
        ),
        address="ul. Jarzębinowa 14/6, 45-000 Opole",
        assisted=True,
    ),
    DemoRequest(
        "remont-02",
        RENOVATION,
        Channel.ONLINE,
        "Danuta Król",
        "600 000 042",
        "Wymiana kilku pękniętych kafelków w łazience nad wanną (około 6 sztuk). "
        "Mam zapasowe płytki.",
        (
            sent(58),
            accepted(57),
            scheduled(56, 52),
            started(52),
            worked(52, "Skucie pękniętych płytek, przygotowanie podłoża.", "4", "3"),
            worked(50, "Przyklejenie nowych płytek, fugowanie.", "4", "4"),
            done(50, "Wymieniono sześć pękniętych płytek nad wanną i zafugowano."),
        ),
        address="ul. Modrzewiowa 3/12, 45-000 Opole",
    ),
    DemoRequest(
        "remont-03",
        RENOVATION,
        Channel.INSTITUTION,
        "Ewa Sobczak",
        "500 100 243",
        "Odmalowanie sali spotkań (około 30 m²) i wymiana listew przypodłogowych.",
        (
            sent(48),
            accepted(47),
            scheduled(47, 42),
            started(42),
            worked(42, "Zabezpieczenie sali, szpachlowanie, pierwsza warstwa.", "6", "6", "6"),
            worked(41, "Druga warstwa farby.", "6", "5", "5"),
            worked(40, "Montaż nowych listew przypodłogowych.", "4", "4"),
            done(40, "Pomalowano salę spotkań i wymieniono listwy przypodłogowe."),
        ),
        address="ul. Pogodna 8, 45-000 Opole",
        senior=False,
        institution=("Fundacja „Dobry Sąsiad”", "Ewa Sobczak, koordynatorka"),
    ),
    DemoRequest(
        "remont-04",
        RENOVATION,
        Channel.PHONE,
        "Bronisława Sikorska",
        "500 100 244",
        "Uszczelnienie okna w kuchni – wieje przy ramie.",
        (
            sent(38),
            accepted(37),
            scheduled(36, 33),
            started(33),
            worked(33, "Oględziny okna.", "1"),
            not_done(
                33,
                "Rama okna jest spróchniała – potrzebna jest wymiana okna, a takich prac "
                "nie wykonujemy. Przekazaliśmy informację pracownikowi socjalnemu.",
            ),
        ),
        address="ul. Słonecznikowa 21/5, 45-000 Opole",
        assisted=True,
    ),
    DemoRequest(
        "remont-05",
        RENOVATION,
        Channel.ONLINE,
        "Andrzej Nowakowski",
        "600 000 054",
        "Wymiana listew przypodłogowych w przedpokoju i w pokoju; listwy są kupione.",
        (
            sent(31),
            corrected(30, phone="600 000 045"),
            accepted(30),
            scheduled(29, 24),
            started(24),
            worked(24, "Demontaż starych listew, docięcie i montaż nowych.", "4", "4"),
            done(24, "Wymieniono listwy przypodłogowe w przedpokoju i w pokoju."),
        ),
        address="ul. Akacjowa 9/4, 45-000 Opole",
    ),
    DemoRequest(
        "remont-06",
        RENOVATION,
        Channel.IN_PERSON,
        "Stefania Kubicka",
        "600 000 046",
        "Malowanie przedpokoju i naprawa drzwiczek szafek kuchennych.",
        (
            sent(15),
            accepted(14),
            scheduled(13, 3),
            started(3),
            worked(3, "Zabezpieczenie podłogi, szpachlowanie ubytków.", "5", "5"),
            worked(2, "Pierwsza warstwa farby w przedpokoju.", "5", "4"),
        ),
        address="ul. Wrzosowa 11/3, 45-000 Opole",
        assisted=True,
    ),
    DemoRequest(
        "remont-07",
        RENOVATION,
        Channel.ONLINE,
        "Franciszek Pawłowski",
        "600 000 047",
        "Naprawa drzwiczek szafek kuchennych – dwa zawiasy wyrwane, jedne drzwiczki wiszą krzywo.",
        (sent(9), accepted(8), scheduled(7, -2)),
        address="ul. Leśna 2/8, 45-000 Opole",
        email="f.pawlowski@example.invalid",
    ),
    DemoRequest(
        "remont-08",
        RENOVATION,
        Channel.PHONE,
        "Helena Wieczorek",
        "500 100 248",
        "Wymiana silikonu przy wannie i przy umywalce – jest czarny i odchodzi.",
        (sent(8), accepted(7), scheduled(6, -5)),
        address="ul. Jaśminowa 6/10, 45-000 Opole",
    ),
    DemoRequest(
        "remont-09",
        RENOVATION,
        Channel.ONLINE,
        "Lucyna Borkowska",
        "600 000 049",
        "Malowanie kuchni około 8 m²; na jednej ścianie jest zaciek po zalaniu (już suchy).",
        (sent(4), accepted(2)),
        address="ul. Kalinowa 17/2, 45-000 Opole",
        senior=False,
        assisted=True,
    ),
    DemoRequest(
        "remont-10",
        RENOVATION,
        Channel.PHONE,
        "Jerzy Malinowski",
        "500 100 250",
        "Wymiana kilku kafelków nad zlewem w kuchni – odpadły.",
        (sent(0),),
        address="ul. Brzozowa 17/2, 45-000 Opole",
        contact_time="po 15:00",
    ),
    DemoRequest(
        "remont-11",
        RENOVATION,
        Channel.ONLINE,
        "Grażyna Tomaszewska",
        "600 000 051",
        "Naprawa drzwi.",
        (
            sent(2),
            asked(
                1,
                "Których drzwi dotyczy zgłoszenie (wejściowych, do pokoju, od szafki) "
                "i co się dzieje – nie domykają się, są uszkodzone?",
            ),
        ),
        address="ul. Lipowa 4/7, 45-000 Opole",
    ),
    DemoRequest(
        "remont-12",
        RENOVATION,
        Channel.ONLINE,
        "Wiesław Czarnecki",
        "600 000 052",
        "Wymiana gniazdek elektrycznych w pokoju i w przedpokoju.",
        (
            sent(26),
            declined(
                25,
                "Nie wykonujemy prac elektrycznych – wymagają one uprawnień. "
                "Prosimy zwrócić się do elektryka albo do administracji budynku.",
            ),
        ),
        address="ul. Klonowa 1/15, 45-000 Opole",
    ),
    DemoRequest(
        "remont-13",
        RENOVATION,
        Channel.PHONE,
        "Aniela Kwiatkowska",
        "500 100 253",
        "Malowanie łazienki.",
        (sent(12), accepted(11), cancelled_by_resident(10, "Łazienkę odmaluje wnuk.")),
        address="ul. Dębowa 12/1, 45-000 Opole",
    ),
    # --- The same person asking twice -----------------------------------------------------
    DemoRequest(
        "krawiectwo-15",
        TAILORING,
        Channel.PHONE,
        "Genowefa Michalska",
        "+48 600-000-008",
        "Dzwoni w sprawie łat na łokciach swetra męża – czy zgłoszenie doszło.",
        (sent(3), duplicate_of(3, "krawiectwo-08")),
    ),
    DemoRequest(
        "krawiectwo-16",
        TAILORING,
        Channel.PHONE,
        "Wanda Szymańska",
        "+48 600 000 010",
        "Poszerzenie spodni w pasie; pyta, czy formularz z internetu doszedł.",
        (sent(0),),
    ),
)


# --- Loading --------------------------------------------------------------------------------


@dataclass
class _Cast:
    """Who acts for the demo: the office, and each workshop's group and instructor."""

    office: Actor
    groups: dict[str, WorkshopGroup]
    instructors: dict[str, Actor]


@dataclass
class _Timestamps:
    """The past moments to write over the services' "now", applied in one go at the end."""

    requests: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)


def demo_loaded() -> bool:
    """Tell whether the demo activity is already in the database."""
    marker = select(ServiceRequest.id).where(ServiceRequest.submission_key.startswith(KEY_PREFIX))
    return db.session.scalar(marker.limit(1)) is not None


def load_demo_activity(now: datetime | None = None) -> int:
    """Load the demo's requests, editions, trainees and work logs once; return the requests added.

    Needs the demo institution and at least one staff account. `now` (default: the present)
    is where the ten weeks end.
    """
    if demo_loaded():
        return 0
    config = current_app.config
    zone = ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"])
    now = (now or datetime.now(UTC)).astimezone(zone)
    today = now.date()
    cast = _cast()
    _load_editions(today, cast.groups)
    _record_outcomes(today)

    timestamps = _Timestamps()
    turns = itertools.count()
    plans = sorted(((_plan(demo, today, now), demo) for demo in REQUESTS), key=lambda p: p[0][0])
    request_ids = [
        _play(demo, times, cast, today, timestamps, turns, upload_folder=config["UPLOAD_FOLDER"])
        for times, demo in plans
    ]
    _write_timestamps(timestamps)
    # Nothing about made-up people goes out: the demo's messages are dropped unsent.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.request_id.in_(request_ids)))
    db.session.commit()
    return len(request_ids)


def _cast() -> _Cast:
    office_user = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_([Role.STAFF, Role.ADMIN]))
        .order_by(User.role != Role.STAFF, User.id)
    ).first()
    if office_user is None:
        raise RuntimeError("the demo activity needs a staff account to act for the office")
    office = Actor.of(office_user)
    groups: dict[str, WorkshopGroup] = {}
    for group in db.session.scalars(
        select(WorkshopGroup)
        .join(ServiceCategory)
        .where(WorkshopGroup.active.is_(True))
        .order_by(WorkshopGroup.id)
    ):
        groups.setdefault(group.category.code, group)
    missing = {TAILORING, UPHOLSTERY, RENOVATION} - set(groups)
    if missing:
        raise RuntimeError(f"the demo activity needs a group for: {', '.join(sorted(missing))}")
    instructors = {}
    for code, group in groups.items():
        active = [user for user in group.instructors if user.active]
        instructors[code] = Actor.of(active[0]) if active else office
    return _Cast(office, groups, instructors)


def _load_editions(today: date, groups: dict[str, WorkshopGroup]) -> None:
    for number, first, last in EDITIONS:
        edition = db.session.scalars(
            select(ProgrammeEdition).where(ProgrammeEdition.number == number)
        ).first()
        if edition is None:
            edition = programme.save_edition(
                None,
                number=number,
                starts_on=today - timedelta(days=first),
                ends_on=today - timedelta(days=last),
            )
        present = {trainee.name for trainee in edition.trainees}
        for edition_number, name, code, gender, active in TRAINEES:
            if edition_number == number and name not in present:
                programme.save_trainee(
                    None,
                    name=name,
                    edition_id=edition.id,
                    group_id=groups[code].id,
                    gender=gender,
                    active=active,
                )


# How the finished edition's participation ended and what followed, in days before today.
# name: (how it ended, last day if not the edition's, what followed, from when)
OUTCOMES = {
    "Agnieszka Duda": (ParticipationEnd.COMPLETED, None, AfterProgramme.EMPLOYMENT, 20),
    "Beata Sowa": (ParticipationEnd.COMPLETED, None, AfterProgramme.NONE, None),
    "Renata Kubiak": (ParticipationEnd.COMPLETED, None, AfterProgramme.INTERNSHIP, 30),
    "Marek Zając": (ParticipationEnd.COMPLETED, None, AfterProgramme.EMPLOYMENT, 35),
    "Krystyna Lis": (ParticipationEnd.COMPLETED, None, AfterProgramme.UNKNOWN, None),
    "Tomasz Bąk": (ParticipationEnd.LEFT_EARLY, 120, AfterProgramme.EMPLOYMENT, 110),
    "Paweł Wilk": (ParticipationEnd.COMPLETED, None, AfterProgramme.TRAINING, 25),
    "Dariusz Kos": (ParticipationEnd.COMPLETED, None, AfterProgramme.NONE, None),
    "Jolanta Pawlak": (ParticipationEnd.COMPLETED, None, AfterProgramme.EMPLOYMENT, 14),
}

# Jobs done for a project or event, and the listed reasons of jobs not done (by demo key).
PROJECTS = {"krawiectwo-04": "Opolskie Dni Seniora"}
NOT_DONE_REASONS = {
    "meble-04": "Naprawa niemożliwa lub nieopłacalna",
    "remont-04": "Praca wykracza poza możliwości pracowni",
}


def _record_outcomes(today: date) -> None:
    for trainee in db.session.scalars(select(Trainee).where(Trainee.name.in_(list(OUTCOMES)))):
        ended, last, after, after_days = OUTCOMES[trainee.name]
        if trainee.ended_because is not None:
            continue
        trainee.ended_because = ended
        trainee.ends_on = today - timedelta(days=last) if last else None
        trainee.after = after
        trainee.after_on = today - timedelta(days=after_days) if after_days else None
        if ended == ParticipationEnd.LEFT_EARLY:
            trainee.active = False
    db.session.commit()


def _by_label(model, column, label: str | None):
    if label is None:
        return None
    return db.session.scalars(select(model).where(column == label)).first()


def _plan(demo: DemoRequest, today: date, now: datetime) -> list[datetime]:
    """Give each step a local moment: office hours on working days, in order, none ahead of now."""
    rng = random.Random(demo.key)
    times = []
    for step in demo.steps:
        day = today - timedelta(days=step.days_ago)
        if step.kind == SENT and demo.channel == Channel.ONLINE:
            at = time(rng.randint(7, 21), rng.randrange(60))
        else:
            day = _weekday_on_or_before(day)
            at = time(rng.randint(8, 13), rng.randrange(60))
        times.append(datetime.combine(day, at, tzinfo=now.tzinfo))
    for index in range(1, len(times)):
        times[index] = max(times[index], times[index - 1] + GAP)
    latest = (now - GAP).replace(second=0, microsecond=0)
    for index in reversed(range(len(times))):
        times[index] = min(times[index], latest)
        latest = times[index] - GAP
    return times


def _weekday_on_or_before(day: date) -> date:
    return day - timedelta(days=max(0, day.weekday() - 4))


def _weekday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)


def _play(
    demo: DemoRequest,
    times: list[datetime],
    cast: _Cast,
    today: date,
    timestamps: _Timestamps,
    turns: itertools.count,
    *,
    upload_folder: str,
) -> int:
    """Take one request through its steps with the real services; return its id."""
    request = _send(demo, times[0], cast, upload_folder)
    closed_at = None
    for step, at in zip(demo.steps, times, strict=True):
        if step.kind != SENT:
            session = _perform(step, at.date(), request, demo, cast, today, turns)
            if session is not None:
                timestamps.sessions.append({"_id": session.id, "_at": _utc(at)})
        event_id = db.session.scalar(
            select(func.max(RequestEvent.id)).where(RequestEvent.request_id == request.id)
        )
        timestamps.events.append({"_id": event_id, "_at": _utc(at)})
        if closed_at is None and request.status in lifecycle.CLOSED:
            closed_at = _utc(at)
    timestamps.requests.append(
        {"_id": request.id, "_updated": _utc(times[-1]), "_closed": closed_at}
    )
    return request.id


def _send(demo: DemoRequest, at: datetime, cast: _Cast, upload_folder: str) -> ServiceRequest:
    online = demo.channel == Channel.ONLINE
    institution_name, institution_contact = demo.institution or (None, None)
    data = services.RequestData(
        category_id=cast.groups[demo.category].category_id,
        description=demo.description,
        name=demo.name,
        phone=demo.phone,
        email=demo.email,
        email_updates=demo.email is not None,
        address=demo.address,
        contact_time=demo.contact_time,
        is_senior=demo.senior,
        receives_assistance=demo.assisted,
        channel=demo.channel,
        consent_method=ConsentMethod.ONLINE if online else ConsentMethod.ORAL,
        institution_name=institution_name,
        institution_contact=institution_contact,
        submission_key=KEY_PREFIX + demo.key,
        answers=ANSWERS.get(demo.key, {}),
    )
    actor = Actor.resident() if online else cast.office
    request = services.submit_request(
        data, actor, upload_folder=upload_folder, timezone=str(at.tzinfo)
    ).request
    # Dated now, not afterwards: completion dates are checked against the day it was sent.
    table = ServiceRequest.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == request.id)
        .values(created_at=_utc(at), consent_at=_utc(at))
    )
    _date_reference(request, at.date())
    request.project = _by_label(Project, Project.name, PROJECTS.get(demo.key))
    db.session.commit()
    return request


def _date_reference(request: ServiceRequest, sent_on: date) -> None:
    """Number a request sent last year (the demo reaches back ten weeks) in that year."""
    prefix, year, number = request.reference.rsplit("/", 2)
    if int(year) == sent_on.year:
        return
    # Give the number back, so this year's numbering has no hole at the start.
    db.session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.year == int(year), ReferenceCounter.last == int(number))
        .values(last=ReferenceCounter.last - 1)
    )
    request.reference = references.format_reference(
        prefix, sent_on.year, references.next_number(sent_on.year)
    )


def _perform(
    step: Step,
    day: date,
    request: ServiceRequest,
    demo: DemoRequest,
    cast: _Cast,
    today: date,
    turns: itertools.count,
) -> WorkSession | None:
    office, instructor = cast.office, cast.instructors[demo.category]
    group = cast.groups[demo.category]
    if step.kind == NOTE:
        services.add_note(request, step.text, office)
    elif step.kind == CORRECTED:
        services.correct_request(request, dict(step.changes), office, expected_version=None)
    elif step.kind == WORKED:
        hours = _hours(group.id, day, step.hours, next(turns))
        return worklog.log_work(
            request, instructor, worklog.WorkData(day, step.text, hours), today=today
        )
    elif step.kind in (DONE, NOT_DONE):
        services.complete_job(
            request,
            instructor,
            completed_on=day,
            outcome=Outcome.DONE if step.kind == DONE else Outcome.NOT_DONE,
            work_done=step.text if step.kind == DONE else "",
            not_done_reason=step.text if step.kind == NOT_DONE else "",
            not_done_reason_id=getattr(
                _by_label(NotDoneReason, NotDoneReason.label, NOT_DONE_REASONS.get(demo.key)),
                "id",
                None,
            ),
            today=today,
        )
    elif step.kind == RESIDENT_CANCELLED:
        services.cancel_by_resident(request, step.text)
    elif step.kind == Status.DUPLICATE:
        other = db.session.scalars(
            select(ServiceRequest).where(
                ServiceRequest.submission_key == KEY_PREFIX + step.changes["of"]
            )
        ).one()
        services.close_as_duplicate(request, office, duplicate_of=other.reference)
    else:
        target = Status(step.kind)
        at_home = demo.category == RENOVATION
        services.move_request(
            request,
            target,
            office if target in OFFICE_MOVES else instructor,
            note=step.text,
            group_id=group.id if target == Status.ACCEPTED else None,
            scheduled_for=_visit_day(step, day, today) if target == Status.SCHEDULED else None,
            # The crew's visits have hours; items are brought in during opening hours.
            scheduled_time="10:00–12:00" if target == Status.SCHEDULED and at_home else "",
        )
        if target == Status.IN_PROGRESS and not at_home and request.custody is None:
            # The item was left at the workshop when the work started.
            custody.record_drop_off(
                request,
                instructor,
                received_on=day,
                place=f"Półka {demo.key[0].upper()}{request.id % 5 + 1}",
                today=today,
            )
    return None


def _visit_day(step: Step, day: date, today: date) -> date:
    """The drop-off or visit date: a working day, not before the day it was agreed."""
    return max(_weekday_on_or_after(today - timedelta(days=step.visit_days_ago)), day)


def _hours(group_id: int, day: date, hours: tuple[str, ...], turn: int) -> dict[int, str]:
    """Share a work session's hours among the group's trainees of that day, taking turns."""
    trainees = worklog.eligible_trainees(group_id, day)
    if len(trainees) < len(hours):
        raise RuntimeError(f"the demo needs {len(hours)} trainees in group {group_id} on {day}")
    start = turn % len(trainees)
    chosen = (trainees[start:] + trainees[:start])[: len(hours)]
    return {trainee.id: value for trainee, value in zip(chosen, hours, strict=True)}


def _write_timestamps(timestamps: _Timestamps) -> None:
    """Move the services' "now" back to the planned moments, leaving versions as they are."""
    requests, events, sessions = (
        ServiceRequest.__table__,
        RequestEvent.__table__,
        WorkSession.__table__,
    )
    db.session.execute(
        update(requests)
        .where(requests.c.id == bindparam("_id"))
        .values(updated_at=bindparam("_updated"), closed_at=bindparam("_closed")),
        timestamps.requests,
    )
    db.session.execute(
        update(events).where(events.c.id == bindparam("_id")).values(created_at=bindparam("_at")),
        timestamps.events,
    )
    # Items on the pick-up shelf: ready since their move to ready, as now dated.
    ready_since = (
        select(func.max(events.c.created_at))
        .where(
            events.c.request_id == requests.c.id,
            events.c.to_status == Status.READY.value,
            events.c.kind == EventKind.STATUS.value,
        )
        .scalar_subquery()
    )
    db.session.execute(
        update(requests).where(requests.c.status == Status.READY.value).values(ready_at=ready_since)
    )
    if timestamps.sessions:
        db.session.execute(
            update(sessions)
            .where(sessions.c.id == bindparam("_id"))
            .values(created_at=bindparam("_at"), updated_at=bindparam("_at")),
            timestamps.sessions,
        )


def _utc(moment: datetime) -> datetime:
    """Store a local moment as every timestamp column does: UTC, without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)
