"""Check-in pages. views.py: the member, unit and community work pages; documents.py: certificate
and receipt PDFs and the code verification page; reconciliation_views.py: rosters against
check-ins, rates, exports."""

from django.urls import path

from checkin import documents, reconciliation_views, views

app_name = "checkin"
urlpatterns = [
    # the member (phone first)
    path("checkin/me/", views.my_checkin, name="my_checkin"),
    # the unit's party admin
    path("checkin/unit/", views.unit_page, name="unit_page"),
    # the community party organisation
    path("checkin/community/", views.community_page, name="community_page"),
    # documents and codes
    path("checkin/<uuid:public_id>/certificate.pdf", documents.certificate_pdf, name="certificate_pdf"),
    path("checkin/<uuid:public_id>/receipt.pdf", documents.receipt_pdf, name="receipt_pdf"),
    path("checkin/verify/", documents.verify_code, name="verify"),
    # reconciliation (信息比对) and rates
    path("checkin/reconciliation/", reconciliation_views.overview, name="reconciliation"),
    path(
        "checkin/reconciliation/units/<uuid:public_id>/",
        reconciliation_views.unit_reconciliation,
        name="unit_reconciliation",
    ),
    path(
        "checkin/reconciliation/areas/<uuid:public_id>/",
        reconciliation_views.area_reconciliation,
        name="area_reconciliation",
    ),
]
