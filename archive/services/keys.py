"""Key rotation for sensitive fields: re-encrypt every record under the active key."""

from __future__ import annotations

from sqlalchemy import select

from archive.context import Context
from archive.models import Staff
from archive.services import audit
from archive.services.access import Actor


def rotate_field_keys(c: Context, actor: Actor, *, batch: int = 500) -> int:
    """Returns how many records were re-encrypted. Old keys can be removed afterwards."""
    done, last_id = 0, 0
    while True:
        with c.uow() as uow:
            s = uow.session
            rows = s.scalars(select(Staff).where(Staff.id > last_id).order_by(Staff.id).limit(batch)).all()
            if not rows:
                audit.append(s, actor=actor.name, ip=actor.ip, action="keys.rotate", details={"records": done,
                                                                                               "key": c.cipher.active})
                uow.commit()
                return done
            for staff in rows:
                if c.cipher.needs_rotation(staff.sensitive):
                    staff.sensitive = c.cipher.encrypt(c.cipher.decrypt(staff.sensitive, aad=staff.code),
                                                       aad=staff.code)
                    done += 1
                last_id = staff.id
            uow.commit()
