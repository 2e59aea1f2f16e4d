"""The reports API: order a report, follow its progress, download the file (CONTRACT.md, "Reports")."""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hrportal.errors import ApplicationError, Conflict, NotAllowed
from reports import files, selectors, services
from reports.models import ReportJob
from reports.serializers import ReportCreatedSerializer, ReportCreateInputSerializer, ReportJobSerializer
from schedule.serializers import ExportInputSerializer as ScheduleExportInputSerializer
from schedule.services import campaign_of
from staff import access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad input: `{field: [messages]}`; nothing saved."),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="Not authenticated."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="The caller may not run reports (not HR, not a manager)."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such report visible to the caller (requester or HR)."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="The report is not ready yet (queued, running or failed)."),
    410: OpenApiResponse(OpenApiTypes.OBJECT, description="The file was deleted after the retention period."),
}


class Gone(ApplicationError):
    status_code = 410
    default_field = "detail"


class ReportListCreateApi(APIView):
    # Documents the list (GET) as paginated, which it is (drf-spectacular reads this; `get` paginates itself).
    pagination_class = LimitOffsetPagination

    @extend_schema(
        request=ReportCreateInputSerializer,
        responses={
            202: OpenApiResponse(
                ReportCreatedSerializer,
                description=(
                    "Accepted: the job is queued. Asking again for the same report (same kind, period and "
                    "department) while it is queued or running also answers 202, with that job's id and current "
                    "status and `created: false`; a `Location` header points at the job."
                ),
            ),
            400: ERRORS[400],
            401: ERRORS[401],
            403: ERRORS[403],
        },
    )
    def post(self, request: Request) -> Response:
        body = ReportCreateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            job, created = services.report_request(
                user=request.user,
                kind=data["kind"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                department=data.get("department"),
            )
        out = ReportCreatedSerializer({"id": job.pk, "status": job.status, "created": created}).data
        return Response(out, status=202, headers={"Location": request.build_absolute_uri(job.get_absolute_url())})

    @extend_schema(responses={200: ReportJobSerializer(many=True), 401: ERRORS[401]})
    def get(self, request: Request) -> Response:
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(selectors.job_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(ReportJobSerializer(page, many=True, context={"request": request}).data)


class ReportDetailApi(APIView):
    @extend_schema(responses={200: ReportJobSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request: Request, job_id: int) -> Response:
        job = selectors.access_job(request.user, job_id)
        return Response(ReportJobSerializer(job, context={"request": request}).data)


class ReportDownloadApi(APIView):
    @extend_schema(
        responses={
            (200, XLSX): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The .xlsx, with `Content-Disposition: attachment` and `Cache-Control: no-store`.",
            ),
            401: ERRORS[401],
            404: ERRORS[404],
            409: ERRORS[409],
            410: ERRORS[410],
        }
    )
    def get(self, request: Request, job_id: int) -> FileResponse:
        job = selectors.access_job(request.user, job_id)
        if job.status != ReportJob.Status.DONE:
            raise Conflict(_("The report is not ready yet: it is %(status)s.") % {"status": job.get_status_display()})
        stored = files.open_file(job.file.name) if job.file else None
        if stored is None:
            raise Gone(_("The file was deleted after the retention period; order the report again."))
        response = FileResponse(stored, as_attachment=True, filename=files.download_name(job), content_type=XLSX)
        response["Cache-Control"] = "no-store"
        return response


class ScheduleExportApi(APIView):
    """`POST /api/v1/schedule/{year}/export/` (HR): the year's schedule as form T-7 (`{"report": "actual"}`: planned
    against actual), an async report job like any other."""

    @extend_schema(
        request=ScheduleExportInputSerializer,
        responses={
            202: ReportCreatedSerializer,
            400: ERRORS[400],
            401: ERRORS[401],
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def post(self, request: Request, year: int) -> Response:
        if not access.is_hr(request.user):
            raise NotAllowed(_("Only HR exports the leave schedule."))
        campaign = campaign_of(year)
        body = ScheduleExportInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kind = ReportJob.Kind.SCHEDULE_T7 if body.validated_data["report"] == "t7" else ReportJob.Kind.SCHEDULE_ACTUAL
        with transaction.atomic():
            job, created = services.report_request(
                user=request.user,
                kind=kind,
                date_from=campaign.first_day,
                date_to=campaign.last_day,
                department=body.validated_data.get("department"),
            )
        out = ReportCreatedSerializer({"id": job.pk, "status": job.status, "created": created}).data
        return Response(out, status=202, headers={"Location": request.build_absolute_uri(job.get_absolute_url())})
