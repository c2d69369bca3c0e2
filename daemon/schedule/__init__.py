"""The screen schedule: when the screen is on, off or quiet, in local time.

`ranges` parses the admin's on-times ("mon-fri 07:00-23:00"); `timetable` answers what
the state is at an instant and when it next changes, through DST changes and midnight;
`cec` asks the TV to sleep and wake over HDMI-CEC with `cec-ctl`, off the render thread.
Pure but for `cec` (a subprocess) and the system's time zone.

May import: display's helper modules.
"""
