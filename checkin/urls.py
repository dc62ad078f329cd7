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

# The work pages' changes (post_views.py, POST only) and htmx fragments (views.py).
from checkin import post_views  # noqa: E402

urlpatterns += [
    path("checkin/me/submit/", post_views.member_submit, name="member_submit"),
    path("checkin/me/places/", views.place_options, name="place_options"),
    path("checkin/me/communities/", views.community_options, name="community_options"),
    path("checkin/me/<uuid:public_id>/resubmit/", post_views.member_resubmit, name="member_resubmit"),
    path("checkin/me/<uuid:public_id>/check-out/", post_views.member_check_out, name="member_check_out"),
    path("checkin/me/<uuid:public_id>/transfer/", post_views.member_transfer, name="member_transfer"),
    path("checkin/me/teams/<uuid:public_id>/join/", post_views.member_join_team, name="member_join_team"),
    path("checkin/unit/issue/", post_views.unit_issue_bulk, name="unit_issue_bulk"),
    path("checkin/unit/batch/", post_views.unit_batch, name="unit_batch"),
    path("checkin/unit/<uuid:public_id>/issue/", post_views.unit_issue, name="unit_issue"),
    path("checkin/unit/<uuid:public_id>/return/", post_views.unit_return, name="unit_return"),
    path(
        "checkin/community/<uuid:public_id>/confirm/", post_views.community_confirm, name="community_confirm"
    ),
    path("checkin/community/<uuid:public_id>/reject/", post_views.community_reject, name="community_reject"),
    path("checkin/community/<uuid:public_id>/return/", post_views.community_return, name="community_return"),
    path("checkin/community/teams/new/", post_views.team_create, name="team_create"),
    path("checkin/community/teams/members/", post_views.team_add_member, name="team_add_member"),
]
