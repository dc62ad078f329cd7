"""Writes to agreements (共建协议, 盟约): draft with a responsibility list (职责清单), attach files, sign on
both sides, end, renew, and remind before expiry. A pairing agreement (one with a ``community``) keeps the
check-in rule's ``checkin.UnitPairing`` for the same period. Every change is an ``AllianceEvent`` and an
audit row in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant
from alliances.access import is_member_unit, leads, speaks_for_unit
from alliances.models import (
    Agreement,
    AgreementFile,
    AgreementState,
    Alliance,
    AllianceState,
    Commitment,
    CommitmentKind,
)
from alliances.steps import clean_text, event, lock
from audit.actions import record_event
from places.models import AreaLevel

# What an attachment may be (the signed scan, an annex), told by its name and its first bytes.
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}
FILE_MAX_BYTES = 10 * 2**20
FILES_PER_AGREEMENT = 20
COMMITMENTS_PER_AGREEMENT = 50
RENEWAL_NOTIFY_KIND = "alliances.renewal_due"


# --- rules ---------------------------------------------------------------------------------------------
def drafts_for(user, alliance: Alliance, unit) -> bool:
    """Who drafts (and renews, edits, attaches to) a unit's agreement: the alliance's lead or the unit."""
    return leads(user, alliance) or speaks_for_unit(user, unit)


def signs_as(user, agreement: Agreement) -> str | None:
    """The side the user would sign next (``"unit"`` first, then ``"lead"``), or None."""
    if agreement.unit_signed_at is None and speaks_for_unit(user, agreement.unit):
        return "unit"
    if agreement.lead_signed_at is None and leads(user, agreement.alliance):
        return "lead"
    return None


def _require_drafter(user, alliance: Alliance, unit) -> None:
    if not drafts_for(user, alliance, unit):
        raise PermissionDenied(_("Only the alliance's lead organisation or the unit itself can do this."))
    if alliance.state != AllianceState.ACTIVE:
        raise ValidationError(_("The alliance is dissolved."))


def _require_member(alliance: Alliance, unit) -> None:
    if not is_member_unit(alliance, unit):
        raise ValidationError(
            _("%(unit)s is not a member unit of %(alliance)s.")
            % {"unit": unit.name, "alliance": alliance.name}
        )


def _check_period(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is None or ends_on is None:
        raise ValidationError(_("Give the day the agreement starts and the day it ends."))
    if ends_on < starts_on:
        raise ValidationError(_("The agreement cannot end before it starts."))


def _check_community(alliance: Alliance, community) -> None:
    if community is None:
        return
    if community.level != AreaLevel.COMMUNITY or not community.path.startswith(alliance.area_path):
        raise ValidationError(
            _("The paired community must be a community of %(area)s.") % {"area": alliance.area.name}
        )


def _require_draft(agreement: Agreement) -> None:
    if agreement.state != AgreementState.DRAFT:
        raise ValidationError(_("Only a draft agreement can be changed."))


def _commitment_values(agreement: Agreement, data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("kind") or ""
    if kind not in CommitmentKind.values:
        raise ValidationError(_("Choose what kind of commitment it is."))
    try:
        quantity = Decimal(str(data.get("quantity") or 0))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("The quantity must be a number.")) from None
    if not quantity.is_finite() or quantity < 0 or quantity >= Decimal("1e10"):
        raise ValidationError(_("The quantity must be a number of zero or more."))
    resource = data.get("resource")
    if resource is not None and resource.unit_id != agreement.unit_id:
        raise ValidationError(_("A commitment can only name a resource the unit itself offers."))
    project = data.get("project")
    if project is not None and not project.community_path.startswith(agreement.alliance.area_path):
        raise ValidationError(_("A commitment can only name a project in the alliance's area."))
    return {
        "kind": kind,
        "description": clean_text(data.get("description"), field=_("Commitment"), max_length=200),
        "quantity": quantity.quantize(Decimal("0.01")),
        "measure": clean_text(data.get("measure"), field=_("Measure"), max_length=16, required=False),
        "resource": resource,
        "project": project,
    }


def _add_commitments(agreement: Agreement, commitments: Iterable[dict[str, Any]]) -> list[Commitment]:
    existing = agreement.commitments.count()
    rows = [_commitment_values(agreement, data) for data in commitments]
    if existing + len(rows) > COMMITMENTS_PER_AGREEMENT:
        raise ValidationError(
            _("An agreement holds at most %(n)d commitments.") % {"n": COMMITMENTS_PER_AGREEMENT}
        )
    return [
        Commitment.objects.create(agreement=agreement, sort=existing + i, **values)
        for i, values in enumerate(rows)
    ]


# --- drafting ------------------------------------------------------------------------------------------
@transaction.atomic
def draft_agreement(
    *,
    acting_user,
    alliance: Alliance,
    unit,
    title: str,
    starts_on: date,
    ends_on: date,
    terms: str = "",
    community=None,
    commitments: Iterable[dict[str, Any]] = (),
    request=None,
) -> Agreement:
    """The lead or the unit drafts the unit's agreement with its responsibility list."""
    alliance = lock(alliance)
    _require_drafter(acting_user, alliance, unit)
    _require_member(alliance, unit)
    _check_period(starts_on, ends_on)
    _check_community(alliance, community)
    agreement = Agreement.objects.create(
        alliance=alliance,
        unit=unit,
        community=community,
        title=clean_text(title, field=_("Title"), max_length=80),
        terms=clean_text(terms, field=_("Terms"), max_length=8000, required=False),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user,
    )
    made = _add_commitments(agreement, commitments)
    event(agreement, "draft", acting_user, unit=unit.name, commitments=len(made))
    record_event(
        actor=acting_user,
        action="alliances.agreement_drafted",
        request=request,
        target=agreement,
        detail={"alliance": str(alliance.public_id), "unit": unit.name},
    )
    return agreement


@transaction.atomic
def add_commitment(
    *,
    acting_user,
    agreement: Agreement,
    kind: str,
    description: str,
    quantity: Decimal | int | str = 0,
    measure: str = "",
    resource=None,
    project=None,
    request=None,
) -> Commitment:
    """One more line of a draft's responsibility list."""
    agreement = lock(agreement)
    _require_drafter(acting_user, agreement.alliance, agreement.unit)
    _require_draft(agreement)
    data = {
        "kind": kind,
        "description": description,
        "quantity": quantity,
        "measure": measure,
        "resource": resource,
        "project": project,
    }
    (commitment,) = _add_commitments(agreement, [data])
    event(agreement, "commit", acting_user, commitment=commitment.description)
    record_event(
        actor=acting_user,
        action="alliances.commitment_added",
        request=request,
        target=agreement,
        detail={"commitment": commitment.description},
    )
    return commitment


@transaction.atomic
def remove_commitment(*, acting_user, commitment: Commitment, request=None) -> None:
    """A line off a draft's responsibility list."""
    agreement = lock(commitment.agreement)
    _require_drafter(acting_user, agreement.alliance, agreement.unit)
    _require_draft(agreement)
    description = commitment.description
    commitment.delete()
    event(agreement, "uncommit", acting_user, commitment=description)
    record_event(
        actor=acting_user,
        action="alliances.commitment_removed",
        request=request,
        target=agreement,
        detail={"commitment": description},
    )


@transaction.atomic
def attach_file(*, acting_user, agreement: Agreement, upload, request=None) -> AgreementFile:
    """A file (the signed scan, an annex: PDF, JPEG, PNG or DOCX up to 10 MB) on the agreement."""
    agreement = lock(agreement)
    _require_drafter(acting_user, agreement.alliance, agreement.unit)
    if agreement.state not in (AgreementState.DRAFT, AgreementState.SIGNED):
        raise ValidationError(_("Files can only be added to a draft or signed agreement."))
    if upload is None:
        raise ValidationError(_("Choose a file."))
    name = PurePath(upload.name or "").name[-120:]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FILE_TYPES:
        raise ValidationError(_("Attach a PDF, JPEG, PNG or DOCX file."))
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    if upload.size > FILE_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: keep it under %(n)d MB.") % {"n": FILE_MAX_BYTES // 2**20}
        )
    content_type, magics = FILE_TYPES[ext]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        raise ValidationError(_("The file's content does not match its type."))
    if agreement.files.count() >= FILES_PER_AGREEMENT:
        raise ValidationError(_("An agreement holds at most %(n)d files.") % {"n": FILES_PER_AGREEMENT})
    attached = AgreementFile(
        agreement=agreement, name=name, content_type=content_type, size=upload.size, uploaded_by=acting_user
    )
    attached.file.save(f"{attached.public_id}.{ext}", upload, save=False)
    attached.save()
    event(agreement, "attach", acting_user, file=name)
    record_event(
        actor=acting_user,
        action="alliances.agreement_file_added",
        request=request,
        target=agreement,
        detail={"file": name},
    )
    return attached


# --- signing, ending, renewing -------------------------------------------------------------------------
def _keep_pairing(agreement: Agreement, acting_user, request) -> None:
    """A signed pairing agreement keeps the check-in rule's pairing for the same period, made by whoever
    of the signers the pairing rule allows (the street committee over the community)."""
    from checkin.pairing_actions import create_unit_pairing, pairs_for_community

    if agreement.community is None or agreement.pairing_id is not None:
        return
    for signer in (acting_user, agreement.lead_signed_by):
        if signer is not None and pairs_for_community(signer, agreement.community):
            agreement.pairing = create_unit_pairing(
                acting_user=signer,
                unit=agreement.unit,
                community=agreement.community,
                started_on=agreement.starts_on,
                ended_on=agreement.ends_on,
                note=agreement.title[:200],
                request=request,
            )
            agreement.save(update_fields=["pairing"])
            return


def _end_pairing(agreement: Agreement, day: date, acting_user, request) -> None:
    from checkin.models import UnitPairing
    from rollups.counting import mark_changed

    if agreement.pairing_id is None:
        return
    pairing = UnitPairing.objects.select_for_update().get(pk=agreement.pairing_id)
    if pairing.ended_on is not None and pairing.ended_on <= day:
        return
    pairing.ended_on = max(day, pairing.started_on)
    pairing.save(update_fields=["ended_on"])
    mark_changed([""])
    record_event(
        actor=acting_user,
        action="alliances.pairing_ended",
        request=request,
        target=pairing,
        detail={"agreement": str(agreement.public_id), "ended_on": pairing.ended_on.isoformat()},
    )


@transaction.atomic
def sign_agreement(*, acting_user, agreement: Agreement, request=None) -> Agreement:
    """The unit signs its side, the lead its side; with both signatures the agreement is in force (and a
    renewal replaces the agreement it renews)."""
    agreement = lock(agreement)
    if agreement.state != AgreementState.DRAFT:
        raise ValidationError(_("Only a draft agreement can be signed."))
    side = signs_as(acting_user, agreement)
    if side is None:
        if speaks_for_unit(acting_user, agreement.unit) or leads(acting_user, agreement.alliance):
            raise ValidationError(_("Your side has already signed this agreement."))
        raise PermissionDenied(_("Only the unit and the alliance's lead organisation sign its agreement."))
    if agreement.alliance.state != AllianceState.ACTIVE:
        raise ValidationError(_("The alliance is dissolved."))
    _require_member(agreement.alliance, agreement.unit)
    now = timezone.now()
    if side == "unit":
        agreement.unit_signed_by, agreement.unit_signed_at = acting_user, now
    else:
        agreement.lead_signed_by, agreement.lead_signed_at = acting_user, now
    fields = [f"{side}_signed_by", f"{side}_signed_at"]
    both = agreement.unit_signed_at is not None and agreement.lead_signed_at is not None
    if both:
        clash = (
            Agreement.objects.filter(
                alliance=agreement.alliance,
                unit=agreement.unit,
                state=AgreementState.SIGNED,
                starts_on__lte=agreement.ends_on,
                ends_on__gte=agreement.starts_on,
            )
            .exclude(pk=agreement.pk)
            .exclude(pk=agreement.previous_id)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                _("%(unit)s already has a signed agreement from %(start)s to %(end)s in this alliance.")
                % {"unit": agreement.unit.name, "start": clash.starts_on, "end": clash.ends_on}
            )
        agreement.state = AgreementState.SIGNED
        fields.append("state")
    agreement.save(update_fields=fields)
    event(agreement, "sign", acting_user, side=side)
    record_event(
        actor=acting_user,
        action="alliances.agreement_signed",
        request=request,
        target=agreement,
        detail={"side": side},
    )
    if both:
        if agreement.previous is not None:
            previous = lock(agreement.previous)
            if previous.state == AgreementState.SIGNED:
                previous.state = AgreementState.RENEWED
                previous.save(update_fields=["state"])
                event(previous, "renewed", acting_user, renewal=str(agreement.public_id))
                # the old pairing stops the day before the new period (a renewal may start early)
                _end_pairing(previous, agreement.starts_on - timedelta(days=1), acting_user, request)
        _keep_pairing(agreement, acting_user, request)
        event(agreement, "in_force", acting_user)
    return agreement


@transaction.atomic
def end_agreement(*, acting_user, agreement: Agreement, reason: str, request=None) -> Agreement:
    """Either side ends the agreement early, with a reason (a draft is withdrawn the same way); its pairing
    ends the same day."""
    agreement = lock(agreement)
    _require_drafter(acting_user, agreement.alliance, agreement.unit)
    if agreement.state not in (AgreementState.DRAFT, AgreementState.SIGNED):
        raise ValidationError(_("This agreement has already ended."))
    reason = clean_text(reason, field=_("Reason"), max_length=200)
    today = timezone.localdate()
    agreement.state = AgreementState.ENDED
    agreement.ended_on = today
    agreement.end_reason = reason
    agreement.save(update_fields=["state", "ended_on", "end_reason"])
    _end_pairing(agreement, today, acting_user, request)
    event(agreement, "end", acting_user, reason=reason)
    record_event(
        actor=acting_user,
        action="alliances.agreement_ended",
        request=request,
        target=agreement,
        detail={"reason": reason},
    )
    return agreement


@transaction.atomic
def renew_agreement(
    *, acting_user, agreement: Agreement, ends_on: date, starts_on: date | None = None, request=None
) -> Agreement:
    """A new draft carrying on a signed agreement (its terms and commitments copied, ``previous`` set).
    When it is signed the old one becomes ``renewed``."""
    agreement = lock(agreement)
    _require_drafter(acting_user, agreement.alliance, agreement.unit)
    if agreement.state != AgreementState.SIGNED:
        raise ValidationError(_("Only a signed agreement can be renewed."))
    if Agreement.objects.filter(previous=agreement).exclude(state=AgreementState.ENDED).exists():
        raise ValidationError(_("This agreement already has a renewal."))
    _require_member(agreement.alliance, agreement.unit)
    starts_on = starts_on or agreement.ends_on + timedelta(days=1)
    _check_period(starts_on, ends_on)
    if starts_on <= agreement.starts_on:
        raise ValidationError(_("A renewal starts after the agreement it renews."))
    stale = Agreement.objects.filter(previous=agreement).first()  # an ended renewal draft frees the link
    if stale is not None:
        stale.previous = None
        stale.save(update_fields=["previous"])
    renewal = Agreement.objects.create(
        alliance=agreement.alliance,
        unit=agreement.unit,
        community=agreement.community,
        title=agreement.title,
        terms=agreement.terms,
        starts_on=starts_on,
        ends_on=ends_on,
        previous=agreement,
        created_by=acting_user,
    )
    Commitment.objects.bulk_create(
        Commitment(
            agreement=renewal,
            kind=c.kind,
            description=c.description,
            quantity=c.quantity,
            measure=c.measure,
            resource_id=c.resource_id,
            project_id=c.project_id,
            sort=c.sort,
        )
        for c in agreement.commitments.all()
    )
    event(renewal, "draft", acting_user, renews=str(agreement.public_id))
    event(agreement, "renew", acting_user, renewal=str(renewal.public_id))
    record_event(
        actor=acting_user,
        action="alliances.agreement_renewal_drafted",
        request=request,
        target=renewal,
        detail={"renews": str(agreement.public_id)},
    )
    return renewal


# --- reminders -----------------------------------------------------------------------------------------
def lead_staff(alliance: Alliance) -> list:
    """Who hears for the lead: the staff grants over the alliance's area, its secretary and deputies."""
    from alliances.access import LEAD_POSTS

    grants = RoleGrant.objects.filter(
        role__in=(Role.STREET, Role.COMMUNITY), area=alliance.area
    ).select_related("user")
    people = [grant.user for grant in grants]
    people += [
        post.user for post in alliance.posts.current().filter(role__in=LEAD_POSTS).select_related("user")
    ]
    return people


def remind_renewals(*, today: date | None = None) -> int:
    """Tell the unit's admins and the lead's staff that an agreement ends within
    ``ALLIANCE_RENEWAL_NOTICE_DAYS`` and has no renewal yet: once an agreement (``reminded_on``)."""
    from access.units import admins_of_units
    from notifications.actions import notify

    today = today or timezone.localdate()
    due = (
        Agreement.objects.expiring_within(today, settings.ALLIANCE_RENEWAL_NOTICE_DAYS)
        .filter(reminded_on__isnull=True, alliance__state=AllianceState.ACTIVE)
        .filter(
            ~Q(
                pk__in=Agreement.objects.filter(previous__isnull=False)
                .exclude(state=AgreementState.ENDED)
                .values("previous_id")
            )
        )
        .select_related("alliance", "unit")
    )
    sent = 0
    for agreement in due:
        with transaction.atomic():
            agreement = lock(agreement)
            if agreement.reminded_on is not None:
                continue
            people = admins_of_units([agreement.unit]) + lead_staff(agreement.alliance)
            notify(
                recipients=people,
                kind="alliances.renewal_due",
                title=_("%(title)s ends on %(day)s: renew it")
                % {"title": agreement.title, "day": agreement.ends_on},
                body=_("%(unit)s in %(alliance)s.")
                % {"unit": agreement.unit.name, "alliance": agreement.alliance.name},
                url=reverse("alliances:agreement_detail", args=[agreement.public_id]),
                dedupe_key=f"alliance-renewal:{agreement.public_id}",
            )
            agreement.reminded_on = today
            agreement.save(update_fields=["reminded_on"])
            event(agreement, "remind", None, ends_on=agreement.ends_on.isoformat())
            sent += 1
    return sent


__all__ = [
    "add_commitment",
    "attach_file",
    "draft_agreement",
    "drafts_for",
    "end_agreement",
    "lead_staff",
    "remind_renewals",
    "remove_commitment",
    "renew_agreement",
    "sign_agreement",
    "signs_as",
]
