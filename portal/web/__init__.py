"""What only the web needs: the request cycle, errors, htmx, transport, input guards,
permissions checks for views, form helpers, labels, and the back-office login sessions.
"""
