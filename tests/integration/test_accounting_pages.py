"""The accounting pages through a signed-in browser's forms: a teacher reaches "My class" from
the incident's page, marks their class and says where it is, accounts for themselves; the
commander's page and its counts fragment show what they sent; a teacher of another class and a
partner reach none of it."""

import re

from tests.builders import signed_in_app
from tests.integration.test_accounting_api import MORNING, opened
from tests.integration.test_people_pages import csrf


def test_a_teacher_marks_their_class_and_the_commander_sees_it(sqlite_url):
    with signed_in_app(sqlite_url, clock=lambda: MORNING) as world:
        ref = opened(world)
        client = world.client
        world.sign_in(client, "h.sato")
        board = client.get("/")
        assert f'href="/incidents/{ref}/accounting/mine"' in board.text  # from the board too
        incident = client.get(f"/incidents/{ref}")
        assert 'id="my-class-link"' in incident.text and 'id="accounting-link"' not in incident.text
        mine = client.get(f"/incidents/{ref}/accounting/mine")
        assert mine.status_code == 200 and "Grade 2 homeroom" in mine.text
        assert "Grade 3 homeroom" not in mine.text
        link = re.search(r'href="(/incidents/[^"]+/classes/[^"]+)"', mine.text).group(1)
        sheet = client.get(link)
        students = re.findall(r'name="status:(P-\d+)" value="accounted"', sheet.text)
        assert len(students) >= 5
        # One missing, the rest "everyone not marked accounted for" with one tap.
        form = {"_csrf_token": csrf(sheet.text), "location": "the football field"}
        form |= {f"status:{students[0]}": "missing", f"seen:{students[0]}": "restroom, 9:05"}
        form |= {"rest": "accounted"}
        sent = client.post(link + "/report", data=form)
        assert sent.status_code == 200, sent.text
        assert (
            f"Report sent for Grade 2 homeroom: {len(students) - 1} accounted for, 1 missing"
            in sent.text
        )
        assert 'value="the football field"' in sent.text

        me = client.post(
            f"/incidents/{ref}/accounting/staff",
            data={"_csrf_token": csrf(sent.text), "status": "safe", "where": "the football field"},
        )
        assert "You are recorded as safe (the football field)." in me.text

        assert client.get(f"/incidents/{ref}/accounting").status_code == 403
        other = link.replace("c-lin-hr1", "c-lin-hr2")
        assert client.get(other).status_code == 403

        world.sign_in(client, "m.alvarez")
        command = client.get(f"/incidents/{ref}/accounting")
        assert command.status_code == 200
        assert '<dd id="count-missing">1</dd>' in command.text
        assert "last seen restroom, 9:05" in command.text
        assert "1 of 2</strong> classes have reported (50%)" in command.text
        assert "the football field" in command.text and "Grade 3 homeroom" in command.text
        fragment = client.get(f"/incidents/{ref}/accounting/counts")
        assert fragment.status_code == 200 and 'id="acct-counts"' in fragment.text
        assert "<html" not in fragment.text

        world.sign_in(client, "j.brooks")
        for path in (f"/incidents/{ref}/accounting", f"/incidents/{ref}/accounting/mine", link):
            answer = client.get(path)
            assert answer.status_code in (403, 404) and "homeroom" not in answer.text
