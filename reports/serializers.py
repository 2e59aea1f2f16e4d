from __future__ import annotations

from rest_framework import serializers

from reports.models import ReportJob


class ReportCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportJob.Kind.choices)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    department = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ReportCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReportJob.Status.choices)
    created = serializers.BooleanField(help_text="False when an identical pending job was returned instead.")


class ReportJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = ["id", "kind", "status", "progress", "row_count", "download_url", "error"]

    def get_download_url(self, job: ReportJob) -> str | None:
        if job.status != ReportJob.Status.DONE or not job.file:
            return None
        request = self.context.get("request")
        path = job.download_path()
        return request.build_absolute_uri(path) if request is not None else path

    def get_error(self, job: ReportJob) -> str | None:
        return job.error or None
