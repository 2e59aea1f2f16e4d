from django.urls import path

from leave import api

urlpatterns = [
    path("leave/balance/", api.BalanceApi.as_view(), name="leave-balance"),
    path("leave/quote/", api.QuoteApi.as_view(), name="leave-quote"),
    path("leave/settlement/", api.SettlementApi.as_view(), name="leave-settlement"),
    path("calendar/<int:year>/", api.CalendarYearApi.as_view(), name="calendar-year"),
]
