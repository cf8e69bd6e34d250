"""Sign-in at the door, registers and a person's own attendance; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.attendance import views

urlpatterns = [
    path("meetings/<str:meeting_id>/sign-in/", views.door_screen, name="attendance_door_screen"),
    path("meetings/<str:meeting_id>/register/", views.register, name="attendance_register"),
    path("meetings/<str:meeting_id>/register/walk-in/", views.walk_in, name="attendance_walk_in"),
    path("door/", views.door, name="attendance_door"),
    path("door/<str:code>/", views.door_code, name="attendance_door_code"),
    path("attendance/", views.my_attendance, name="my_attendance"),
]
