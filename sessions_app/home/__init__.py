"""The member's home page in one organisation: it gathers what the packages below show
(coming meetings, ground rules to accept, recent notices, meeting load), so it sits on
top with ``mydata``."""
