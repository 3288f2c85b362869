# The golden images: for each screen size, the slides compared (from
# tests/data/alert-feed.json at 2026-11-24T09:00). Read by
# scripts/update-golden and tests/cli_test.sh (case "golden").
# The seven screen shapes town halls have (16:9 at three sizes, portrait,
# 4:3, 5:4, 16:10), and every slide kind at a small size each way.
GOLDEN_CASES=(
    "1920x1080 summary kpi-1-2 kpi-3-2 detail-1-4 detail-2-1 news-0 roadmap-1"
    "1280x720 summary kpi-3-2 detail-1-4"
    "3840x2160 summary kpi-3-2"
    "1080x1920 summary kpi-1-2 kpi-3-2 detail-1-4 news-0"
    "1024x768 summary kpi-1-2 detail-2-1"
    "1280x1024 summary kpi-1-2 detail-2-1"
    "1280x800 summary kpi-3-2 detail-2-1"
    "960x540 alert summary news-0 roadmap-1 detail-2-1 kpi-1-3"
    "540x960 alert summary news-0 roadmap-1 detail-2-1 kpi-1-3"
)
