"""Number formats for Simplified Chinese as statistical tables print them: 2,850,361 (groups of three with a
comma). Django's own zh_Hans locale groups by four with no separator, which nobody reads in a 万元 table."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
