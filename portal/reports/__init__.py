"""The figures of `queries.figures` made for people: words, files and a chart.

`wording` says the totals the way the club writes to the city council ("wykonano N usług,
w tym: ..."), with the Polish plural forms each service carries; `files` lays every table
out as CSV and XLSX; `chart` computes the geometry of the monthly bar chart.
"""
