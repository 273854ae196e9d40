from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from bistand.core import views as core_views
from bistand.organisation import sso, views_second_factor
from bistand.organisation.views import LoginView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("login/kod/", views_second_factor.verify, name="second_factor_verify"),
    path("login/aktivera-kod/", views_second_factor.enrol, name="second_factor_enrol"),
    # Single sign-on (OpenID Connect); 404 unless configured (README, "Production settings").
    path("oidc/authenticate/", sso.SSOLoginView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", sso.SSOCallbackView.as_view(), name="oidc_authentication_callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The schema and its Swagger UI describe the case API: staff with a login only. The split view
    # serves its start-up script as a file of its own (no inline script under the CSP); Swagger
    # UI draws its icons as data: images, allowed on this page only.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        csp_update({"img-src": ["data:"]})(
            login_required(
                SpectacularSwaggerSplitView.as_view(
                    url_name="api-schema", permission_classes=[IsAuthenticated]
                )
            )
        ),
        name="api-docs",
    ),
    path("api/v1/", include("bistand.api_urls")),
    path("utkast/<slug:kind>/<int:object_id>/", core_views.save_draft_view, name="save_draft"),
    path(
        "utkast/<slug:kind>/<int:object_id>/slang/",
        core_views.discard_draft_view,
        name="discard_draft",
    ),
    path("", include("bistand.cases.urls")),
    path("", include("bistand.portal.urls_staff")),
    path("beslut/", include("bistand.decisions.urls")),
    path("utbetalning/", include("bistand.payments.urls")),
    path("planer/", include("bistand.workplans.urls")),
    path("aktivitetskrav/", include("bistand.activity.urls")),
    path("kontroll/", include("bistand.controls.urls")),
    path("statistik/", include("bistand.statistics.urls")),
    path("e-tjanst/", include("bistand.portal.urls")),
    path("organisation/", include("bistand.organisation.urls")),
    path("regelverk/", include("bistand.norms.urls")),
    path("loggkontroll/", include("bistand.cases.urls_audit")),
    path("drift/", include("bistand.jobs.urls")),
]

# An unknown address under /api/ answers the API's JSON error, not an HTML page.
handler404 = "bistand.core.views.not_found"
