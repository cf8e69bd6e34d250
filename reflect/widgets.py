"""Form widgets shared by every app."""

from django import forms


class IsoDateInput(forms.DateInput):
    """``<input type=date>`` reads and shows only ISO dates (2027-03-15): the en-GB input
    format (15/03/2027) would leave the field empty and block Save."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class IsoTimeInput(forms.TimeInput):
    """``<input type=time>`` wants ``HH:MM``; seconds would add a field nobody needs."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")
