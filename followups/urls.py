"""Staff pages of the follow-ups app (namespace "followups", mounted at /followups/)."""

from django.urls import path

from followups import views, views_calendar, views_reminders, views_reports

app_name = "followups"

urlpatterns = [
    path("panel/<str:kind>/<int:pk>/", views.panel, name="panel"),
    path("panel/<str:kind>/<int:pk>/log/", views.panel_log, name="panel_log"),
    path("panel/<str:kind>/<int:pk>/schedule/", views.panel_schedule, name="panel_schedule"),
    path("panel/<str:kind>/<int:pk>/assign/", views.panel_assign, name="panel_assign"),
    path("panel/<str:kind>/<int:pk>/finish/", views.panel_finish, name="panel_finish"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/order/", views.request_order, name="request_order"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path(
        "calendar/<int:pk>/move/",
        views_calendar.calendar_reschedule,
        name="calendar_reschedule",
    ),
    path("calendar/feed/", views_reminders.feed_settings, name="feed_settings"),
    path("calendar/feed/rotate/", views_reminders.feed_rotate, name="feed_rotate"),
    path("calendar/<str:token>.ics", views_reminders.ical, name="ical"),
    path("reminders/", views_reminders.reminders, name="reminders"),
    path("reminders/badge/", views_reminders.reminder_badge, name="reminder_badge"),
    path(
        "reminders/<int:pk>/move/", views_reminders.reminder_reschedule, name="reminder_reschedule"
    ),
    path("reports/outcomes/", views_reports.outcomes, name="outcomes"),
]
