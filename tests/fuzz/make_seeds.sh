#!/bin/sh
# Writes small seed archives of every common format and filter into $1 (made at test time).
set -e
out=$1
rm -rf "$out" && mkdir -p "$out/src/d"
cd "$out/src"
printf 'hello\n' > a.txt
head -c 3000 /dev/zero | tr '\0' 'z' > d/b.bin
ln -s a.txt link
for fmt in pax ustar gnutar v7 cpio newc odc zip 7zip iso9660 ar xar warc mtree shar; do
  bsdtar --format=$fmt -cf "../seed.$fmt" a.txt d link 2>/dev/null || rm -f "../seed.$fmt"
done
bsdtar -zcf ../seed.tgz a.txt d
bsdtar -jcf ../seed.tbz a.txt d
bsdtar -Jcf ../seed.txz a.txt d
bsdtar --zstd -cf ../seed.tzst a.txt d 2>/dev/null || true
bsdtar --lz4 -cf ../seed.tlz4 a.txt d 2>/dev/null || true
bsdtar -Zcf ../seed.tZ a.txt d
cd .. && rm -rf src
ls | wc -l
