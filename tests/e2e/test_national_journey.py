"""A whole evaluation cycle run by the national team in a real Chromium against `kotacerdas serve`: real
clicks only, no demo loader call and no database write from the test. The admin opens a cycle for a new
year, uploads three regions, invites an assessor and a coordinator (who read the invitation from the
server's mail files and set their password; the assessor also sets up TOTP), forms a panel and assigns by
suggestion; the coordinator fills and submits; the assessor scores, gives feedback, agrees and concludes;
the admin finalises and publishes with a typed confirmation; the public portal shows the result and the
national ranking."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from .conftest import login, screenshot, totp_now

pytestmark = pytest.mark.e2e
YEAR = 2031
PASSWORD = "kata-sandi-undangan-yang-panjang-7"
ASSESSOR = "asesor.e2e@kotacerdas.test"
COORDINATOR = "koordinator.e2e@banyuasin.test"


def _invitation_link(outbox: Path, email: str) -> str:
    """The set-password link of the newest invitation to ``email`` in the server's mail files."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for f in sorted(outbox.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
            for message in reversed(f.read_text(encoding="utf-8", errors="replace").split("-" * 79)):
                if f"To: {email}" in message and "Undangan" in message:
                    found = re.search(r"http://\S+/akun/password/reset/key/\S+", message)
                    if found:
                        return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no invitation mail for {email} in {outbox}")


def _accept(browser, base: str, outbox: Path, email: str):
    """A new person's own browser: open the link, set the password, sign in (TOTP set-up if asked)."""
    context = browser.new_context(base_url=base, locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(_invitation_link(outbox, email))
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form:has(input[name=password1]) button[type=submit]:not([form])").click()
    page.wait_for_load_state("networkidle")
    assert "/set-password" not in page.url, page.url
    page.goto("/akun/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_login) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/akun/login" not in page.url, "the invited person could not sign in"
    if "/reauthenticate" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        page.wait_for_load_state("networkidle")
    if "/2fa/totp/activate" in page.url:
        secret = page.locator("#authenticator_secret").input_value()
        page.fill("#id_code", totp_now(secret))
        page.locator("form:has(#id_code) button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert "/2fa/totp/activate" not in page.url
    return page


def _messages(page) -> str:
    return page.locator("#messages").inner_text()


def test_it_runs_a_whole_cycle_in_the_browser(page, browser, e2e_server, outbox, tmp_path) -> None:
    # --- the national admin opens the cycle and uploads the participants
    login(page, "admin@kotacerdas.test")
    page.get_by_role("link", name="Kelola").click()
    page.wait_for_load_state("networkidle")
    page.fill("#f-year", str(YEAR))
    page.select_option("#f-pack", "kominfo-2021@2021.1")
    page.fill("#f-deadline", "2099-01-01T00:00")
    page.fill("#f-as", "2020-01-01T00:00")
    page.fill("#f-ae", "2099-01-01T00:00")
    page.get_by_role("button", name="Buka siklus").click()
    page.wait_for_load_state("networkidle")
    assert "Siklus dibuka" in _messages(page)
    listing = tmp_path / "peserta.csv"
    listing.write_text("kode,kelas\n16.07,B\n16.06,B\n16.10,B\n", encoding="utf-8")
    page.set_input_files("#p-file", str(listing))
    page.get_by_role("button", name="Unggah", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "3 peserta ditambahkan" in _messages(page)
    screenshot(page, "national-cycle")
    cycle_url = page.url

    # --- invitations
    page.get_by_role("link", name="Orang dan peran").click()
    for email, role, extra in ((ASSESSOR, "assessor", ("#i-exp", "AB")), (COORDINATOR, "coordinator", None)):
        page.fill("#i-email", email)
        page.select_option("#i-role", role)
        page.fill("#i-region", "16.07" if role == "coordinator" else "")
        if extra:
            page.select_option(*extra)
        page.get_by_role("button", name="Kirim undangan").click()
        page.wait_for_load_state("networkidle")
        assert email in _messages(page)
    assessor = _accept(browser, e2e_server, outbox, ASSESSOR)
    coordinator = _accept(browser, e2e_server, outbox, COORDINATOR)

    # --- panel and assignments by suggestion
    page.goto(cycle_url)
    page.get_by_role("link", name="Panel dan penugasan").click()
    page.wait_for_load_state("networkidle")
    page.fill("#pn-name", "Panel E2E")
    page.select_option("#pn-class", "B")
    page.select_option("#pn-lead", label=ASSESSOR)
    for email in (ASSESSOR, "asesor1@kotacerdas.test", "asesor2@kotacerdas.test"):
        page.locator("#bentuk-panel .checklist label", has_text=email).locator("input").check()
    page.get_by_role("button", name="Bentuk panel", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Panel E2E dibentuk" in _messages(page)
    page.get_by_role("button", name="Usulkan penugasan").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#usulan").get_by_text("Panel E2E: 3").count() == 1
    page.get_by_role("button", name="Simpan usulan").click()
    page.wait_for_load_state("networkidle")
    assert "3 wilayah ditugaskan" in _messages(page)
    screenshot(page, "national-panels")

    # --- Tahap I opens
    page.goto(cycle_url)
    page.locator("#maju-tahap input[type=checkbox]").check()
    page.locator("#maju-tahap button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "Tahap sekarang: Tahap I" in _messages(page)

    # --- the coordinator fills every indicator and submits
    coordinator.goto("/")
    coordinator.get_by_role("link", name="Penilaian mandiri").click()
    coordinator.wait_for_load_state("networkidle")
    open_cards = coordinator.locator("article.indicator:not(.answered)")
    remaining = open_cards.count()
    assert remaining == 51
    for _ in range(remaining):
        first = open_cards.first
        anchor = first.get_attribute("id")
        first.locator("input[name=level][value='3']").check()
        coordinator.locator(f"#{anchor}.answered").wait_for()
    coordinator.reload()
    coordinator.once("dialog", lambda dialog: dialog.accept())  # "cannot be undone": yes, send it
    coordinator.get_by_role("button", name="Kirim ke panel asesor").click()
    coordinator.wait_for_load_state("networkidle")
    assert "Pengajuan terkirim" in coordinator.content()
    submission_url = coordinator.url

    # --- the assessor (panel lead) starts, scores everything, gives feedback, agrees and concludes
    assessor.goto(submission_url.rstrip("/") + "/nilai/")
    assessor.get_by_role("button", name="Mulai penilaian").click()
    assessor.wait_for_load_state("networkidle")
    rows = assessor.locator("#skor tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        row_id = row.get_attribute("id")
        row.locator("label", has_text=re.compile(r"^3$")).click()
        assessor.locator(f"#{row_id}").get_by_text("Tersimpan").wait_for()
    assessor.reload()
    options = assessor.locator("#fb-p option").all_inner_texts()
    assessor.locator("#fb-p").select_option(index=next(i for i, t in enumerate(options) if "JAM KUNCI" in t))
    assessor.fill("#fb-s", "Layanan jemput bola menjangkau 21 kecamatan.")
    assessor.fill("#fb-r", "Integrasikan dengan antrean daring.")
    assessor.get_by_role("button", name="Simpan umpan balik").click()
    assessor.wait_for_load_state("networkidle")
    assert "Umpan balik untuk" in assessor.content()
    assessor.get_by_role("button", name="Tandai penilaian saya selesai").click()
    assessor.wait_for_load_state("networkidle")
    first_code = assessor.locator("#skor tbody tr").first.locator("select").get_attribute("name")
    assessor.select_option(f"select[name='{first_code}']", "4")
    assessor.get_by_role("button", name="Tetapkan konsensus").click()
    assessor.wait_for_load_state("networkidle")
    assessor.get_by_role("button", name="Tutup penilaian dan hitung hasil").click()
    assessor.wait_for_load_state("networkidle")
    screenshot(assessor, "national-assessor-concluded")

    # --- the admin finalises and publishes with the typed confirmation
    page.goto(cycle_url)
    page.get_by_role("link", name="Penerbitan").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Finalkan semua yang selesai dinilai").click()
    page.wait_for_load_state("networkidle")
    assert "1 hasil difinalkan" in _messages(page)
    assert page.locator("#judul-pratinjau + div").get_by_text("Kabupaten Banyuasin").count() == 1
    page.fill("#confirm", "terbitkan")  # wrong: nothing happens
    page.get_by_role("button", name="Terbitkan hasil").click()
    page.wait_for_load_state("networkidle")
    assert f"TERBITKAN {YEAR}" in _messages(page)
    page.fill("#confirm", f"TERBITKAN {YEAR}")
    page.get_by_role("button", name="Terbitkan hasil").click()
    page.wait_for_load_state("networkidle")
    assert "1 hasil diterbitkan" in _messages(page)
    screenshot(page, "national-published")

    # --- the public sees the result and the national ranking
    public = browser.new_context(base_url=e2e_server, locale="id-ID").new_page()
    public.goto("/publik/16.07/")
    assert f"Indeks {YEAR}" in public.content()
    public.goto(f"/nasional/peringkat/?tahun={YEAR}")
    table = public.locator("#peringkat tbody")
    assert table.locator("tr").count() == 1 and "Kabupaten Banyuasin" in table.inner_text()
    public.get_by_role("link", name="Kabupaten Banyuasin").click()
    public.wait_for_load_state("networkidle")
    assert public.url.endswith("/publik/16.07/")
    screenshot(public, "national-public-result")
