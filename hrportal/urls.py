from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from hrportal import views
from staff import views as staff_views
from staff.forms import LoginForm

# HR's workplace is the admin: named as the portal is, in the reader's language (not "Django administration").
admin.site.site_header = _("HR portal")
admin.site.site_title = _("HR portal")
admin.site.index_title = _("Administration")

api_urlpatterns = [
    path("", include("staff.api_urls")),
    path("", include("leave.api_urls")),
    path("", include("requests_app.api_urls")),
    path("", include("documents.api_urls")),
    path("", include("schedule.api_urls")),
    path("", include("reports.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("api/v1/", include(api_urlpatterns)),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The header's RU/EN switch: Django's set_language, which also saves a signed-in employee's choice.
    path("i18n/setlang/", staff_views.set_language, name="set_language"),
    path("", include("hrportal.web.urls")),
    path("", include("staff.urls")),
    path("", include("requests_app.urls")),
    path("", include("leave.urls")),
    path("", include("documents.urls")),
    path("", include("schedule.urls")),
    path("", include("reports.urls")),
]

# No URL serves MEDIA_ROOT, not even under DEBUG: files with personal data (reports, HR documents) live in the
# private storage and go out only through views that check access (hrportal/storage.py).
