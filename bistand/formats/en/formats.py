"""One date format everywhere (issue #13): ISO 8601 dates (the Swedish standard, SS-ISO 8601,
as forms take them) and 24-hour times, in Swedish and English alike. Month names stay where a
template asks for them ("november 2026" in letters and statistics)."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
