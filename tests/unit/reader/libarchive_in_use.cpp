// Prints which libarchive this build runs against, and fails when the library loaded at run
// time is not the release whose header it was compiled with: a build against another
// libarchive (the gcc-la37 preset) that loads the system's library by mistake (no RPATH, a
// wrong LD_LIBRARY_PATH) would otherwise test the wrong release and pass.
#include <archive.h>

#include <cstdio>

int main() {
    std::printf("compiled against libarchive %d, running %s\n", ARCHIVE_VERSION_NUMBER, archive_version_details());
    if (archive_version_number() != ARCHIVE_VERSION_NUMBER) {
        std::printf("FAILED: the libarchive loaded (%d) is not the one compiled against (%d)\n",
                    archive_version_number(), ARCHIVE_VERSION_NUMBER);
        return 1;
    }
    return 0;
}
