#!/bin/sh
# changelog.sh SOURCE_DIR VERSION DATE > changelog: the package's Debian
# changelog from git (#14.8). One entry for this version with the commits
# since the newest release tag (v*), then one entry per earlier tag with its
# commits; each commit's subject is an item, wrapped at 78 columns. Only
# git's data is used, so the same commit gives the same file.
set -eu
src=$1 version=$2 date=$3
maint="Misato Signage developers <signage@town.misato.akita.jp>"
entry() { # entry VERSION DATE RANGE
    printf 'misato-signage (%s) bookworm; urgency=medium\n\n' "$1"
    n=0
    git -C "$src" log --no-merges --format=%s "$3" | while IFS= read -r subject; do
        n=$((n + 1))
        if [ "$n" -gt 60 ]; then
            echo "  * (older changes: git log)"
            break
        fi
        printf '%s\n' "$subject" | fold -s -w 74 | sed '1s/^/  * /; 1!s/^/    /; s/ *$//'
    done
    printf '\n -- %s  %s\n\n' "$maint" "$2"
}
if ! git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
    printf 'misato-signage (%s) bookworm; urgency=medium\n\n  * Built outside git.\n\n -- %s  %s\n' \
        "$version" "$maint" "$date"
    exit 0
fi
tags=$(git -C "$src" tag --merged HEAD --list 'v[0-9]*' --sort=-v:refname)
prev=HEAD
first=1
for t in $tags; do
    if [ "$first" = 1 ]; then
        if [ "$(git -C "$src" rev-list -n1 "$t")" != "$(git -C "$src" rev-parse HEAD)" ]; then
            entry "$version" "$date" "$t..HEAD"
        fi
        first=0
    else
        entry "${prev#v}" "$(git -C "$src" log -1 --format=%aD "$prev")" "$t..$prev"
    fi
    prev=$t
done
if [ "$first" = 1 ]; then
    entry "$version" "$date" HEAD
else
    entry "${prev#v}" "$(git -C "$src" log -1 --format=%aD "$prev")" "$prev"
fi | sed '${/^$/d}'
