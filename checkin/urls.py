"""Check-in pages, by who uses them: member_views.py, unit_views.py and community_views.py (each page
with its changes); documents.py: certificate and receipt PDFs and the code verification page;
reconciliation_views.py: rosters against check-ins, rates, exports."""

from django.urls import path

from checkin import (
    community_views,
    documents,
    member_views,
    move_views,
    reconciliation_views,
    renewal_views,
    unit_views,
)

app_name = "checkin"
urlpatterns = [
    # the member (phone first)
    path("checkin/me/", member_views.my_checkin, name="my_checkin"),
    # the unit's party admin
    path("checkin/unit/", unit_views.unit_page, name="unit_page"),
    # the community party organisation
    path("checkin/community/", community_views.community_page, name="community_page"),
    # documents and codes
    path("checkin/<uuid:public_id>/certificate.pdf", documents.certificate_pdf, name="certificate_pdf"),
    path("checkin/<uuid:public_id>/receipt.pdf", documents.receipt_pdf, name="receipt_pdf"),
    path("checkin/verify/", documents.verify_code, name="verify"),
    # the city's check-in policy (renewal period), kept by its organisation department
    path("checkin/policy/", renewal_views.policy_page, name="policy"),
    path("checkin/policy/<uuid:public_id>/", renewal_views.policy_change, name="policy_change"),
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

# The work pages' changes (POST only) and htmx fragments.
urlpatterns += [
    path("members/<uuid:public_id>/move/", move_views.member_move, name="member_move"),
    path("checkin/me/submit/", member_views.member_submit, name="member_submit"),
    path("checkin/me/places/", member_views.place_options, name="place_options"),
    path("checkin/me/communities/", member_views.community_options, name="community_options"),
    path("checkin/me/<uuid:public_id>/resubmit/", member_views.member_resubmit, name="member_resubmit"),
    path("checkin/me/<uuid:public_id>/check-out/", member_views.member_check_out, name="member_check_out"),
    path("checkin/me/<uuid:public_id>/transfer/", member_views.member_transfer, name="member_transfer"),
    path("checkin/me/<uuid:public_id>/renew/", member_views.member_renew, name="member_renew"),
    path("checkin/me/teams/<uuid:public_id>/join/", member_views.member_join_team, name="member_join_team"),
    path("checkin/unit/issue/", unit_views.unit_issue_bulk, name="unit_issue_bulk"),
    path("checkin/unit/batch/", unit_views.unit_batch, name="unit_batch"),
    path("checkin/unit/<uuid:public_id>/issue/", unit_views.unit_issue, name="unit_issue"),
    path("checkin/unit/<uuid:public_id>/return/", unit_views.unit_return, name="unit_return"),
    path(
        "checkin/community/<uuid:public_id>/confirm/",
        community_views.community_confirm,
        name="community_confirm",
    ),
    path(
        "checkin/community/<uuid:public_id>/reject/",
        community_views.community_reject,
        name="community_reject",
    ),
    path(
        "checkin/community/<uuid:public_id>/return/",
        community_views.community_return,
        name="community_return",
    ),
    path(
        "checkin/community/confirm/",
        community_views.community_confirm_batch,
        name="community_confirm_batch",
    ),
    path("checkin/unit/certificates.pdf", documents.unit_certificates_pdf, name="unit_certificates_pdf"),
    path("checkin/community/teams/new/", community_views.team_create, name="team_create"),
    path("checkin/community/teams/members/", community_views.team_add_member, name="team_add_member"),
]
