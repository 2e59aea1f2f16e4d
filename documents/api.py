"""The documents API (docs in ../shared/CONTRACT.md): list (scoped), the file, a one-time code, the signature."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from documents import selectors, services
from documents.models import Document, Signature
from hrportal.errors import Conflict, ValidationFailed
from hrportal.pagination import BoundedLimitOffsetPagination
from hrportal.schema import ERROR_RESPONSES as ERRORS
from hrportal.storage import open_private

BIGINT = 2**63 - 1


class SignatureOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signature
        fields = ["signer", "signed_at"]


class DocumentOutputSerializer(serializers.ModelSerializer):
    signatures = SignatureOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = ["id", "kind", "number", "date", "employee", "request", "sha256", "signatures"]


class FilterSerializer(serializers.Serializer):
    employee = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT)
    kind = serializers.ChoiceField(choices=Document.Kind.choices, required=False)
    request = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT)


class SignInputSerializer(serializers.Serializer):
    code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    password = serializers.CharField(required=False, allow_blank=True, max_length=200)


def client_ip(request: HttpRequest) -> str | None:
    """The address the signature records: the peer, as the deployment's proxy set it (gunicorn's
    forwarded-allow-ips makes REMOTE_ADDR the client's)."""
    return request.META.get("REMOTE_ADDR") or None


def download(document: Document) -> FileResponse:
    """The PDF: the signed copy (with its stamp) once there is one, else the original."""
    name = document.signed_file.name or document.file.name
    if not name:
        raise Conflict("This document was issued on paper: there is no file.")
    response = FileResponse(
        open_private(name),
        as_attachment=True,
        filename=f"{document.kind}_{document.number}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


class DocumentListApi(APIView):
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("employee", int),
            OpenApiParameter("kind", str, enum=Document.Kind.values),
            OpenApiParameter("request", int),
        ],
        responses={200: DocumentOutputSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request: ApiRequest) -> Response:
        filters = FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.visible(request.user).prefetch_related("signatures").order_by("-date", "-id")
        for name in ("employee", "kind", "request"):
            if name in filters.validated_data:
                value = filters.validated_data[name]
                qs = qs.filter(employees=value).distinct() if name == "employee" else qs.filter(**{name: value})
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DocumentOutputSerializer(page, many=True).data)


class DocumentDetailApi(APIView):
    @extend_schema(responses={200: DocumentOutputSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request: ApiRequest, document_id: int) -> Response:
        return Response(DocumentOutputSerializer(selectors.fetch(request.user, document_id)).data)


class DocumentFileApi(APIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            401: ERRORS[401],
            404: ERRORS[404],
            409: ERRORS[409],
        }
    )
    def get(self, request: ApiRequest, document_id: int) -> FileResponse:
        return download(selectors.fetch(request.user, document_id))


class DocumentCodeApi(APIView):
    @extend_schema(request=None, responses={202: OpenApiResponse(description="The code was mailed."), **ERRORS})
    def post(self, request: ApiRequest, document_id: int) -> Response:
        row = services.signature_code_send(document_id=document_id, user=request.user)
        return Response({"expires_at": row.expires_at}, status=202)


class DocumentSignApi(APIView):
    @extend_schema(request=SignInputSerializer, responses={200: SignatureOutputSerializer, **ERRORS})
    def post(self, request: ApiRequest, document_id: int) -> Response:
        selectors.fetch(request.user, document_id)  # 404 before anything else
        if not isinstance(request.data, dict):
            raise ValidationFailed("Send a JSON object.")
        body = SignInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        signature = services.document_sign(
            document_id=document_id,
            user=request.user,
            code=body.validated_data.get("code", ""),
            password=body.validated_data.get("password", ""),
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return Response(SignatureOutputSerializer(signature).data)
