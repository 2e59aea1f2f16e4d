from django.urls import path

from documents import views

urlpatterns = [
    path("documents/", views.document_list, name="documents"),
    path("documents/hr/", views.hr_desk, name="documents-hr"),
    path("documents/<int:document_id>/", views.document_detail, name="document-detail"),
    path("documents/<int:document_id>/file/", views.document_file, name="document-file"),
    path("documents/<int:document_id>/code/", views.document_code, name="document-code"),
    path("documents/<int:document_id>/sign/", views.document_sign, name="document-sign"),
    path("documents/<int:document_id>/paper/", views.document_paper, name="document-paper"),
    path("documents/<int:document_id>/remind/", views.document_remind, name="document-remind"),
    path("documents/certificates/<int:request_id>/issue/", views.certificate_issue, name="certificate-issue"),
    path("documents/archives/<int:archive_id>/download/", views.archive_download, name="document-archive-download"),
]
