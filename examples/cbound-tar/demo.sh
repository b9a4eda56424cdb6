#!/usr/bin/env bash
# cbound-tar in one minute: create an archive, list it, extract it, print a file from it.
#
#     demo.sh CBOUND_TAR WORK_DIR
#
# Run by examples/run.sh (the README's first command) and as the CTest test example.cbound-tar.demo.
set -euo pipefail

tool="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work="$2"
rm -rf "$work"
mkdir -p "$work/project/docs" "$work/project/src"
cd "$work"
printf 'Hello from cbound-tar!\n' > project/docs/hello.txt
printf 'int main() { return 0; }\n' > project/src/main.cpp
ln -s docs/hello.txt project/README

show() { # print the command, then run it
    printf '\n$ cbound-tar %s\n' "$*"
    "$tool" "$@"
}
show create project.tar.gz project
show list project.tar.gz
show list -l project.tar.gz
show extract project.tar.gz -C unpacked
show cat project.tar.gz project/docs/hello.txt
diff -r project unpacked/project && printf '\nThe extracted tree matches the original.\n'
