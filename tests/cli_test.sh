#!/usr/bin/env bash
# Integration tests that run the real misato-signage binary.
#   cli_test.sh CASE BIN PNG_CHECK SOURCE_DIR
# Each case prints what it checked and exits non-zero on the first failure.
set -euo pipefail
case_name=$1 bin=$2 check=$3 src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
at=2026-11-24T09:00
export MISATO_LOG_LEVEL=warn
# Hermetic: no cache, state or config of the user's (the player reads its cache at start).
export HOME="$tmp/home"
unset XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME CACHE_DIRECTORY STATE_DIRECTORY

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() { # expect_rc WANT cmd...
    local want=$1; shift
    set +e; "$@" >"$tmp/stdout" 2>"$tmp/stderr"; local rc=$?; set -e
    [ "$rc" -eq "$want" ] || { cat "$tmp/stdout" "$tmp/stderr" >&2; fail "$* exited $rc, expected $want"; }
    echo "ok: exit $rc: ${*#"$bin"}"
}

# A cache with two pictures the feed lists (as the fetch worker leaves them).
pictures_setup() {
    # Pictures the feed lists, once in the cache (as the fetch worker leaves
    # them), become image slides; an announcement shows its own picture.
    mkdir -p "$tmp/cache/media"
    p1=$src/tests/golden/kpi-3-2-1920x1080.png p2=$src/tests/golden/kpi-1-2-1920x1080.png
    h1=$(sha256sum "$p1" | cut -c1-64) h2=$(sha256sum "$p2" | cut -c1-64)
    cp "$p1" "$tmp/cache/media/$h1.png"
    cp "$p2" "$tmp/cache/media/$h2.png"
    # And the player's own folder of slides (what a USB import fills).
    mkdir -p "$tmp/media"
    cp "$p2" "$tmp/media/01-poster.png"
    echo "not a picture" >"$tmp/media/readme.txt"
    printf 'cache_dir = %s\nmedia_dir = %s\n' "$tmp/cache" "$tmp/media" >"$tmp/conf"
    cat >"$tmp/cache/feed.json" <<JSON
{"schema_version": 1,
 "measures": [{"id": "3-1", "name": "デジタルデバイドの解消", "field": "地域DX",
   "metric": {"name": "受講者数", "unit": "人"}, "targets": {"R6": 50}, "actuals": {"R6": 49}}],
 "announcements": [{"title": "スマホ教室のご案内", "body": "申し込みは生涯学習課まで。", "image": "p2"}],
 "media": [{"id": "poster", "url": "https://example.jp/p1.png", "sha256": "$h1", "caption": "受講者数のグラフ"},
           {"id": "p2", "url": "https://example.jp/p2.png", "sha256": "$h2"},
           {"id": "missing", "url": "https://example.jp/p3.png", "sha256": "$(printf '0%.0s' $(seq 64))"}]}
JSON
}

case $case_name in
render_default)
    # The embedded plan, headless, at the default size: one PNG per KPI slide.
    # The embedded plan: summary, 7 KPI slides, 3 roadmap slides, 11 details.
    "$bin" --render "$tmp/out" --at "$at" >"$tmp/list"
    [ "$(wc -l <"$tmp/list")" -eq 22 ] || fail "expected 22 paths printed"
    "$check" count "$tmp/out" 22 1920 1080
    for id in 1-1 1-2 1-3 1-6 1-8 3-1 3-2; do
        ls "$tmp/out"/*-kpi-"$id".png >/dev/null || fail "no KPI slide for measure $id"
    done
    for id in 1-4 1-5 1-7 2-1 2-2 2-3 2-4 2-5 2-6 3-3 3-4; do
        ls "$tmp/out"/*-detail-"$id".png >/dev/null || fail "no detail slide for measure $id"
    done
    ls "$tmp/out"/01-summary.png "$tmp/out"/*-roadmap-{1,2,3}.png >/dev/null
    ;;
render_sizes)
    for size in 1280x720 3840x2160 1080x1920; do
        "$bin" --render "$tmp/$size" --size "$size" --at "$at" >/dev/null
        "$check" count "$tmp/$size" 22 "${size%x*}" "${size#*x}"
    done
    ;;
exit_codes)
    expect_rc 0 "$bin" --version
    grep -q "misato-signage [0-9]" "$tmp/stdout" || fail "--version prints no version"
    expect_rc 0 "$bin" --help
    grep -q "終了コード" "$tmp/stdout" || fail "--help lists no exit codes"
    expect_rc 64 "$bin" --no-such-option
    expect_rc 64 "$bin" --at 2026-13-01T00:00 --render "$tmp/x"
    expect_rc 64 "$bin" --at yesterday --render "$tmp/x"
    expect_rc 64 "$bin" --size 10x10 --render "$tmp/x"
    expect_rc 64 "$bin" --feed ftp://example.jp/feed.json --render "$tmp/x"
    expect_rc 64 "$bin" stray-argument
    : >"$tmp/file"
    expect_rc 1 "$bin" --render "$tmp/file/sub" --at "$at"
    ;;
feed_file)
    # A feed with one measure gives one slide; an unusable one falls back to
    # the embedded plan rather than an empty screen.
    cat >"$tmp/one.json" <<'JSON'
{"schema_version": 1, "updated_at": "2026-11-20T10:00:00+09:00",
 "measures": [{"id": "3-2", "name": "マイナンバーカードの利活用", "field": "地域DX",
   "metric": {"name": "コンビニ交付件数", "unit": "件"},
   "targets": {"R6": 2000, "R7": 2500, "R8": 3000}, "actuals": {"R6": 2239, "R7": 2710}}]}
JSON
    "$bin" --feed "$tmp/one.json" --render "$tmp/one" --at "$at" >/dev/null
    "$check" count "$tmp/one" 3 1920 1080 # summary, its KPI slide, the 地域DX roadmap
    # A preview of an unusable one is not the embedded plan: it says so (#13 item 7,
    # see render_bad_feed); the running player still falls back (feed_test.py).
    echo '{"schema_version": 1, "measures": [' >"$tmp/broken.json"
    expect_rc 2 "$bin" --feed "$tmp/broken.json" --render "$tmp/fallback" --at "$at"
    grep -q "showing the embedded plan" "$tmp/stderr" || fail "no word of the fallback in the log"
    [ "$(ls "$tmp/fallback")" = "00-feed-error.png" ] || fail "a preview of a broken feed shows slides"
    expect_rc 2 "$bin" --feed "$tmp/missing.json" --render "$tmp/fallback2" --at "$at"
    [ "$(ls "$tmp/fallback2")" = "00-feed-error.png" ] || fail "a preview of a missing feed shows slides"
    ;;
validate)
    expect_rc 0 "$bin" --validate "$src/config/default-feed.json"
    grep -q "スライド 22 枚" "$tmp/stdout" || fail "no summary of what would be shown"
    cat >"$tmp/typo.json" <<'JSON'
{"schema_version": 1, "measures": [
  {"id": "1-1", "name": "行政手続きのオンライン化", "field": "住民DX",
   "metric": {"name": "オンライン手続数", "unit": "件"},
   "targets": {"R6": 60, "R8": "120"}, "actuals": {"R6": 63}}]}
JSON
    expect_rc 1 "$bin" --validate "$tmp/typo.json"
    grep -qF 'measures[0].targets.R8: 数値は引用符 " をつけずに 120 と書いてください (この値は使いません) (expected a number, got a string: write 120 (half-width digits, no quotes) (not used))' \
        "$tmp/stdout" || { cat "$tmp/stdout"; fail "the problem is not named by its path"; }
    printf '{"schema_version": 1, "measures": [}' >"$tmp/bad.json"
    expect_rc 2 "$bin" --validate "$tmp/bad.json"
    grep -q "^1行目 36文字目 (line 1, column 36): " "$tmp/stdout" || fail "no line and column for a syntax error"
    expect_rc 2 "$bin" --validate "$tmp/nonexistent.json"
    grep -qF "$tmp/nonexistent.json: ファイルがありません" "$tmp/stdout" || fail "a missing file is not named"
    # A folder and a device are not "No such file or directory" (#13 item 8).
    expect_rc 2 "$bin" --validate "$tmp"
    grep -qxF "$tmp: フォルダです。フィードのファイル (feed.json など) を指定してください (a folder, not a feed file)" \
        "$tmp/stdout" || { cat "$tmp/stdout"; fail "a folder is not said to be a folder"; }
    expect_rc 2 "$bin" --validate /dev/zero
    grep -qxF "/dev/zero: 普通のファイルではありません。保存したフィードのファイルを指定してください (not a regular file)" \
        "$tmp/stdout" || { cat "$tmp/stdout"; fail "a device is not said to be one"; }
    ;;
render_bad_feed)
    # A preview of a feed that cannot be shown says so on the image and exits 2,
    # instead of showing the embedded plan as if all were well (#13 item 7).
    printf '{"schema_version": 1,\n "measures": [\n  {"id": "1-1",},\n ]}\n' >"$tmp/bad.json"
    expect_rc 2 "$bin" --render "$tmp/out" --feed "$tmp/bad.json" --at "$at"
    [ "$(cat "$tmp/stdout")" = "$tmp/out/00-feed-error.png" ] || fail "not one error image: $(cat "$tmp/stdout")"
    [ "$(ls "$tmp/out")" = "00-feed-error.png" ] || fail "more than the error image written"
    # The red bar, the pale background, and text (dark) on it.
    "$check" shot "$tmp/out/00-feed-error.png" 16 10 10 b00020 1900 600 fff4e5
    grep -q "3行目 15文字目" "$tmp/stderr" || { cat "$tmp/stderr"; fail "the log does not name the mistake"; }
    expect_rc 2 "$bin" --render-sheet "$tmp/sheet.png" --feed "$tmp/nonexistent.json" --size 1080x1920
    "$check" shot "$tmp/sheet.png" 16 10 10 b00020 1000 1000 fff4e5
    # A good feed still previews its slides, exit 0.
    expect_rc 0 "$bin" --render "$tmp/good" --feed "$src/docs/feed-example.json" --at "$at"
    [ ! -e "$tmp/good/00-feed-error.png" ] || fail "an error image for a good feed"
    ;;
long_texts)
    # Texts at the feed's limits, counted in characters (#13 item 5), are drawn:
    # changing only the first character of one changes its slide (a text cut
    # inside a character used to draw nothing at all).
    python3 - "$tmp" <<'PY'
import copy, json, sys
tmp = sys.argv[1]
def long(n, c="あ"):
    return (c + "美郷町の窓口" * n)[:n]
base = {"schema_version": 1, "updated_at": "2026-11-20T10:00:00+09:00",
        "measures": [
            {"id": "1-1", "name": long(200), "field": "住民DX",
             "metric": {"name": long(120), "unit": long(8)},
             "targets": {"R6": 60, "R8": 120}, "actuals": {"R6": 63}},
            {"id": "1-4", "name": "窓口のデジタル化", "field": "住民DX",
             "plan": [{"R8": long(120)}], "actual_notes": {"R7": long(120)}}],
        "announcements": [{"title": long(120), "body": long(1000)}]}
fields = {"name": ("kpi-1-1", lambda d: d["measures"][0], "name"),
          "metric": ("kpi-1-1", lambda d: d["measures"][0]["metric"], "name"),
          "unit": ("kpi-1-1", lambda d: d["measures"][0]["metric"], "unit"),
          "plan": ("detail-1-4", lambda d: d["measures"][1]["plan"][0], "R8"),
          "notes": ("detail-1-4", lambda d: d["measures"][1]["actual_notes"], "R7"),
          "body": ("news-0", lambda d: d["announcements"][0], "body")}
json.dump(base, open(f"{tmp}/base.json", "w"), ensure_ascii=False)
with open(f"{tmp}/fields", "w") as out:
    for name, (slide, where, key) in fields.items():
        d = copy.deepcopy(base)
        obj = where(d)
        obj[key] = "い" + obj[key][1:]
        json.dump(d, open(f"{tmp}/{name}.json", "w"), ensure_ascii=False)
        out.write(f"{name} {slide}\n")
PY
    expect_rc 0 "$bin" --validate "$tmp/base.json" --at "$at"
    "$bin" --feed "$tmp/base.json" --render "$tmp/r-base" --at "$at" >/dev/null
    while read -r name slide; do
        "$bin" --feed "$tmp/$name.json" --render "$tmp/r-$name" --at "$at" >/dev/null
        a=$(ls "$tmp/r-base"/*-"$slide".png) b=$(ls "$tmp/r-$name"/*-"$slide".png)
        ! cmp -s "$a" "$b" || fail "the $name text at its limit is not drawn on $slide"
        echo "ok: $name at its limit is drawn on $slide"
    done <"$tmp/fields"
    ;;
config_problems)
    # A config with mistakes is reported with file, line and key; the player
    # still renders on the defaults.
    printf 'town_name = 美郷町役場\nslide_seconds = soon\ncolour = blue\n' >"$tmp/signage.conf"
    expect_rc 0 "$bin" --config "$tmp/signage.conf" --render "$tmp/out" --at "$at"
    grep -q "signage.conf:2: slide_seconds:" "$tmp/stderr" || fail "bad value not reported"
    grep -q "signage.conf:3: colour: unknown key" "$tmp/stderr" || fail "unknown key not reported"
    "$check" count "$tmp/out" 22 1920 1080
    expect_rc 0 "$bin" --config "$tmp/nonexistent.conf" --render "$tmp/out2" --at "$at"
    "$check" count "$tmp/out2" 22 1920 1080
    ;;
render_sheet)
    # One contact sheet of the whole deck for staff: 4 thumbnails a row.
    "$bin" --feed "$src/tests/data/alert-feed.json" --render-sheet "$tmp/sheet.png" --at "$at" >/dev/null
    # 25 thumbnails (alert + 24 slides): 7 rows of 270+40+24 px under a 110 px title.
    "$check" shot "$tmp/sheet.png" 64 40 130 b00020 1000 5 e4e9ef
    mkdir "$tmp/only" && cp "$tmp/sheet.png" "$tmp/only/01-sheet.png"
    "$check" count "$tmp/only" 1 2040 2472
    ;;
pictures)
    pictures_setup
    "$bin" --config "$tmp/conf" --render "$tmp/out" --size 960x540 --at "$at" >"$tmp/list"
    cat "$tmp/list"
    grep -q -- "-image-poster.png" "$tmp/list" || fail "no image slide for the cached picture"
    grep -q -- "-image-missing.png" "$tmp/list" && fail "an image slide for a picture not in the cache"
    grep -q -- "-image-p2.png" "$tmp/list" && fail "the announcement's picture also got a slide"
    grep -q -- "-image-local-1.png" "$tmp/list" || fail "no image slide for the picture in media_dir"
    [ "$(grep -c -- "-image-local-" "$tmp/list")" -eq 1 ] || fail "a non-picture in media_dir got a slide"
    ! "$check" shot "$(grep -- -image-local-1 "$tmp/list")" 1 480 250 0f3556 >/dev/null || fail "media_dir picture not drawn"
    # The picture is drawn (the placeholder would be the header colour).
    "$check" shot "$(grep -- -image-poster "$tmp/list")" 32
    ! "$check" shot "$(grep -- -image-poster "$tmp/list")" 1 480 250 0f3556 >/dev/null || fail "placeholder shown"
    ! "$check" shot "$(grep -- -news-0 "$tmp/list")" 1 150 250 0f3556 >/dev/null || fail "no picture in the announcement"
    ;;
pictures_loop)
    # The running player decodes them on its loader thread as their slides come.
    pictures_setup
    printf 'slide_seconds = 3\ntransition = none\n' >>"$tmp/conf"
    MISATO_LOG_LEVEL=info SDL_VIDEODRIVER=offscreen "$bin" --config "$tmp/conf" --windowed --size 640x360 \
        2>"$tmp/log" &
    pid=$!
    for _ in $(seq 150); do
        [ "$(grep -c "picture ready" "$tmp/log")" -ge 2 ] && break
        sleep 0.1
    done
    kill -TERM "$pid"
    wait "$pid" || fail "the player exited with $?"
    grep "picture ready" "$tmp/log" || fail "the pictures were not decoded in the running player"
    [ "$(grep -c "picture ready" "$tmp/log")" -ge 2 ] || fail "only one picture decoded"
    ;;
validate_glyphs)
    # Issue #12 item 7: text no installed font can draw is a warning naming
    # the field; emoji (drawn from the colour emoji font) are not.
    python3 - "$src/tests/data/alert-feed.json" "$tmp/glyphs.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["announcements"][0]["title"] += " 👍🏻 👨‍👩‍👧‍👦 \U0010FFFD"
d["media"][0]["caption"] += " \U0010FFFD"  # #11: the feed's own captions are checked too
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
    set +e; "$bin" --validate "$tmp/glyphs.json" >"$tmp/out"; rc=$?; set -e
    [ "$rc" -le 1 ] || fail "--validate exited with $rc (the feed can be shown)"
    grep -q '^announcements\[0\]\.title: 警告: 表示できない文字 U+10FFFD' "$tmp/out" || fail "no warning for U+10FFFD: $(cat "$tmp/out")"
    grep -q '^media\[0\]\.caption: 警告: 表示できない文字 U+10FFFD' "$tmp/out" || fail "no warning for a picture's caption: $(cat "$tmp/out")"
    [ "$(grep -c '警告: 表示できない文字' "$tmp/out")" -eq 2 ] || fail "emoji were reported as undrawable: $(cat "$tmp/out")"
    ;;
golden)
    # Pixels of slides at a fixed moment against the committed images (made by
    # scripts/update-golden): the screen sizes and slides of tests/golden/cases.sh.
    . "$src/tests/golden/cases.sh"
    rc=0
    for entry in "${GOLDEN_CASES[@]}"; do
        read -r size ids <<<"$entry"
        "$bin" --feed "$src/tests/data/alert-feed.json" --render "$tmp/$size" --size "$size" \
            --at "$at" >/dev/null
        for id in $ids; do
            "$check" diff "$(ls "$tmp/$size"/*-"$id".png)" "$src/tests/golden/$id-$size.png" \
                "${TMPDIR:-/tmp}/misato-golden-diff-$id-$size.png" || rc=1
        done
    done
    [ $rc -eq 0 ] || fail "slides differ from the golden images (run scripts/update-golden after checking them)"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "passed: $case_name"
