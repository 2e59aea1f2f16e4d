from django.urls import path

from documents import api

urlpatterns = [
    path("documents/", api.DocumentListApi.as_view(), name="api-documents"),
    path("documents/<int:document_id>/", api.DocumentDetailApi.as_view(), name="api-document-detail"),
    path("documents/<int:document_id>/file/", api.DocumentFileApi.as_view(), name="api-document-file"),
    path("documents/<int:document_id>/code/", api.DocumentCodeApi.as_view(), name="api-document-code"),
    path("documents/<int:document_id>/sign/", api.DocumentSignApi.as_view(), name="api-document-sign"),
]
