// Built with CBOUND_CHECKED=1: "ok" reads column text while it is valid; "stale" keeps a
// column text past the next step(), which must stop the program with a message.
#include "sqlite.hpp"

#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
    std::string_view const mode = argc > 1 ? argv[1] : "ok";
    sqlite::database db = sqlite::database::open(":memory:");
    db.exec("create table t(s text); insert into t values('first'), ('second')");
    sqlite::statement query = db.prepare("select s from t");
    query.step();
    sqlite::text_view first = query.column_text(0);
    std::printf("row: %s\n", first->c_str());
    query.step(); // sqlite may now reuse the memory `first` points into
    if (mode == "stale") std::printf("stale: %s\n", first->c_str()); // stops here in checked mode
    std::printf("row: %s\n", query.column_text(0)->c_str());
    return 0;
}
