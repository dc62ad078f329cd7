"""What each audit action code means, in words: the audit pages show ``checkin.confirm`` as 确认报到.

One table for every code the product records (audit/tests/test_labels.py fails when a new
``record_event(action=...)`` has no label here). Codes built from a name (``export.<list>``,
``privacy.reveal.<field>``) fall back to the label of their prefix; an unknown code shows as itself.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # signing in, accounts and roles
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.token": _("API token issued"),
    "auth.token_revoke": _("API token revoked"),
    "user.create": _("Account created"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "admin.add": _("Added in the admin"),
    "admin.change": _("Changed in the admin"),
    "admin.delete": _("Deleted in the admin"),
    # places, organisations, people
    "area.create": _("Area created"),
    "compound.create": _("Compound created"),
    "building.create": _("Building created"),
    "grid.create": _("Grid created"),
    "unit.create": _("Unit created"),
    "party_org.create": _("Party organisation created"),
    "post.appoint": _("Post holder appointed"),
    "member.create": _("Member added"),
    "member.update": _("Member updated"),
    "resident.create": _("Resident added"),
    "resident.update": _("Resident updated"),
    "privacy.reveal.id_number": _("ID number revealed"),
    "privacy.reveal.phone": _("Phone number revealed"),
    # imports, exports, jobs
    "import.upload": _("Roster uploaded"),
    "import.check": _("Roster checked"),
    "import.confirm": _("Roster import confirmed"),
    "import.members": _("Roster imported"),
    "export.start": _("Export started"),
    "export.reconciliation": _("Reconciliation exported"),
    "job.download": _("Job file downloaded"),
    "job.retry": _("Job retried"),
    # check-ins
    "checkin.submit": _("Check-in submitted"),
    "checkin.resubmit": _("Check-in resubmitted"),
    "checkin.certify": _("Certificate issued"),
    "checkin.confirm": _("Check-in confirmed"),
    "checkin.reject": _("Check-in rejected"),
    "checkin.return": _("Check-in returned"),
    "checkin.check_out": _("Checked out"),
    "checkin.batch": _("Members checked in as a unit"),
    "checkin.code_refused": _("Certificate code refused"),
    "checkin.certificate_pdf": _("Certificate downloaded"),
    "checkin.receipt_pdf": _("Receipt downloaded"),
    "checkin.pairing_create": _("Unit pairing created"),
    "checkin.team_create": _("Volunteer team created"),
    "checkin.team_add": _("Member added to a team"),
    "checkin.team_join": _("Joined a team"),
    # the service loop
    "service.need_posted": _("Need posted"),
    "service.need_dispatched": _("Need dispatched"),
    "service.need_taken": _("Need taken"),
    "service.need_served": _("Need served"),
    "service.need_closed": _("Need closed"),
    "service.need_cancelled": _("Need cancelled"),
    "service.assignment_accepted": _("Assignment accepted"),
    "service.assignment_declined": _("Assignment declined"),
    "service.assignment_withdrawn": _("Assignment withdrawn"),
    "service.post_published": _("Service post published"),
    "service.post_claimed": _("Service post claimed"),
    "service.post_left": _("Service post left"),
    "service.post_closed": _("Service post closed"),
    "service.household_paired": _("Household paired"),
    "service.household_pairing_ended": _("Household pairing ended"),
    "service.pairing_visit_logged": _("Pairing visit logged"),
    "service.record_logged": _("Service logged"),
    "service.record_confirmed": _("Service confirmed"),
    "service.record_rejected": _("Service record rejected"),
    "service.record_rated": _("Service rated"),
    "service.record_code_failed": _("Wrong confirmation code"),
    "service.record_disputed": _("Service disputed"),
    "service.resource_added": _("Resource added"),
    "service.resource_updated": _("Resource updated"),
    "service.resource_withdrawn": _("Resource withdrawn"),
    "service.project_proposed": _("Project proposed"),
    "service.project_unit_added": _("Unit added to a project"),
    "service.project_commitment": _("Project commitment made"),
    "service.project_agree": _("Project agreed"),
    "service.project_start": _("Project started"),
    "service.project_complete": _("Project completed"),
    "service.project_evaluate": _("Project evaluated"),
    "service.project_drop": _("Project dropped"),
    "service.project_rated": _("Project rated"),
    "service.milestone_added": _("Milestone added"),
    "service.milestone_done": _("Milestone done"),
    # points
    "points.entry_reversed": _("Points entry reversed"),
    "points.reward_added": _("Reward added"),
    "points.reward_offered": _("Reward offered"),
    "points.reward_retired": _("Reward withdrawn from the shop"),
    "points.reward_restocked": _("Reward restocked"),
    "points.reward_redeemed": _("Reward redeemed"),
    "points.redemption_handed_over": _("Reward handed over"),
    "points.redemption_cancelled": _("Redemption cancelled"),
    "points.rule_changed": _("Point rule changed"),
    "points.rule_ended": _("Point rule ended"),
    "points.rule_withdrawn": _("Point rule change withdrawn"),
    "service.category_added": _("Service menu: category added"),
    "service.category_changed": _("Service menu: category changed"),
    "service.category_moved": _("Service menu: category moved"),
    "service.category_retired": _("Service menu: category retired"),
    "service.category_restored": _("Service menu: category offered again"),
    "checkin.renewal_period": _("Check-in renewal period set"),
    "checkin.renew": _("Reported again (renewal)"),
}

# Codes made from a name: the longest prefix that matches gives the label.
PREFIX_LABELS = {
    "export.": _("List exported"),
    "privacy.reveal.": _("Number revealed"),
}


def action_label(code: str) -> str:
    """The words for an action code; an unknown code is shown as it is."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    for prefix in sorted(PREFIX_LABELS, key=len, reverse=True):
        if code.startswith(prefix):
            return str(PREFIX_LABELS[prefix])
    return code
