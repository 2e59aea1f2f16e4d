from django.urls import path

from schedule import api

urlpatterns = [
    path("schedule/<int:year>/", api.ScheduleApi.as_view(), name="api-schedule"),
    path("schedule/<int:year>/parts/", api.PartCreateApi.as_view(), name="api-schedule-parts"),
    path("schedule/<int:year>/parts/<int:part_id>/", api.PartDetailApi.as_view(), name="api-schedule-part"),
    path("schedule/<int:year>/parts/<int:part_id>/move/", api.PartMoveApi.as_view(), name="api-schedule-part-move"),
    path(
        "schedule/<int:year>/parts/<int:part_id>/comment/",
        api.PartCommentApi.as_view(),
        name="api-schedule-part-comment",
    ),
    path(
        "schedule/<int:year>/parts/<int:part_id>/request/",
        api.PartRequestApi.as_view(),
        name="api-schedule-part-request",
    ),
    path(
        "schedule/<int:year>/changes/<int:change_id>/consent/",
        api.ChangeDecideApi.as_view(),
        name="api-schedule-change-consent",
    ),
    path("schedule/<int:year>/submit/", api.SubmitApi.as_view(), name="api-schedule-submit"),
    path("schedule/<int:year>/approve/", api.ApproveApi.as_view(), name="api-schedule-approve"),
    path("schedule/<int:year>/union-opinion/", api.UnionOpinionApi.as_view(), name="api-schedule-union"),
    path("notices/", api.NoticeListApi.as_view(), name="api-notices"),
    path("notices/<int:notice_id>/acknowledge/", api.NoticeAcknowledgeApi.as_view(), name="api-notice-acknowledge"),
]
