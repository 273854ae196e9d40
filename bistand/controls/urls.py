from django.urls import path

from . import views

app_name = "controls"

urlpatterns = [
    path("arende/<int:case_id>/register/", views.request_check_view, name="request"),
    path("arende/<int:case_id>/handling/", views.manual_check_view, name="manual"),
    path("<int:check_id>/", views.check_view, name="check"),
    path("<int:check_id>/bedom/", views.assess_view, name="assess"),
    path("krav/", views.requirements_view, name="requirements"),
]

# Monthly sample review (stickprov) and the review queue (docs/controls.md).
from . import sample_views  # noqa: E402

urlpatterns += [
    path("stickprov/", sample_views.samples_view, name="samples"),
    path("stickprov/storlek/", sample_views.sample_size_view, name="sample_size"),
    path("stickprov/<int:draw_id>/", sample_views.sample_view, name="sample"),
    path("stickprov/<int:draw_id>/omdragning/", sample_views.redraw_view, name="sample_redraw"),
    path("stickprov/post/<int:item_id>/tilldela/", sample_views.assign_view, name="sample_assign"),
    path("stickprov/arsrapport/<int:year>/", sample_views.report_view, name="sample_report"),
    path(
        "stickprov/arsrapport/<int:year>/pdf/",
        sample_views.report_pdf_view,
        name="sample_report_pdf",
    ),  # fmt: skip
    path("granskning/<int:item_id>/", sample_views.review_view, name="review"),
    path("granskningar/", sample_views.my_reviews_view, name="my_reviews"),
    path("brist/<int:finding_id>/atgard/", sample_views.add_action_view, name="add_action"),
    path("atgard/<int:action_id>/", sample_views.action_view, name="action"),
    path("granskningsko/", sample_views.review_queue_view, name="review_queue"),
]
