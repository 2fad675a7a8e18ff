"""The helpers that read pages for the tests (tests/helpers.py) read what a person sees."""

from __future__ import annotations

from tests.helpers import error_summary, flash_messages, table_rows

PAGE = """<main>
<div class="flash-messages" role="status">
  <p class="flash flash--success">Bokningen &auml;r sparad.</p>
  <p class="flash flash--info">Greta f&aring;r ett <b>sms</b>
     i morgon.</p>
</div>
<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
  <h2>Något behöver rättas</h2>
  <ul><li>Fel e-postadress eller lösenord.</li><li><a href="#phone">Telefon: Skriv ett nummer.</a></li></ul>
</div>
<table class="table"><thead><tr><th>Vem</th><th>När</th></tr></thead>
  <tbody><tr><td><a href="/r/1">Greta</a><br>070-123 45 67</td><td>10:00</td></tr>
  <tr><th scope="row">Karl</th><td>11:00</td></tr></tbody></table>
<table id="other"><tr><th>Rubrik</th></tr><tr><td>1</td><td>2</td></tr></table>
</main>"""


def test_flash_messages_are_read_as_text_in_order_and_by_category():
    assert flash_messages(PAGE) == ["Bokningen är sparad.", "Greta får ett sms i morgon."]
    assert flash_messages(PAGE, "success") == ["Bokningen är sparad."]
    assert flash_messages("<main></main>") == []


def test_the_error_summary_lists_each_message():
    assert error_summary(PAGE) == ["Fel e-postadress eller lösenord.", "Telefon: Skriv ett nummer."]
    assert error_summary("<main></main>") == []


def test_table_rows_are_the_body_rows_cell_by_cell():
    assert table_rows(PAGE) == [["Greta 070-123 45 67", "10:00"], ["Karl", "11:00"]]
    assert table_rows(PAGE, id="other") == [["1", "2"]]
    assert table_rows(PAGE, index=1) == [["1", "2"]]
    assert table_rows(PAGE, id="missing") == []
