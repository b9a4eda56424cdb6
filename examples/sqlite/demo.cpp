// The sqlite binding at work: create, insert, query, a failing call, closing with a result.
#include "sqlite.hpp"

#include <cstdio>
#include <iostream>
#include <system_error>
#include <utility>

int main() {
    sqlite::database db = sqlite::database::open(":memory:");
    db.exec("create table fruit(name text, qty integer)");

    sqlite::statement insert = db.prepare("insert into fruit values(?, ?)");
    for (auto [name, qty] : {std::pair<char const*, int>{"apple", 3}, {"pear", 5}, {"quince", 7}}) {
        insert.bind(1, cbound::cstring_view(name));
        insert.bind(2, qty);
        insert.step();
        insert.reset();
    }

    {
        sqlite::statement query = db.prepare("select name, qty from fruit order by qty");
        while (query.step()) {
            sqlite::text_view name = query.column_text(0); // checked in checked mode
            std::cout << name->c_str() << " " << query.column_int(1) << "\n";
        }
    }

    // A failing call throws std::system_error naming the C function.
    try {
        db.exec("select * from no_such_table");
    } catch (std::system_error const& e) {
        std::cout << "error: " << e.what() << " (" << db.last_error() << ")\n";
    }

    // sqlite3_open_v2 hands back a connection even when it fails: out_ptr has put it into the
    // database being built, which closes it as the exception leaves open() (no leak).
    try {
        sqlite::database::open("no-such-folder/x.db", SQLITE_OPEN_READWRITE);
    } catch (std::system_error const& e) {
        std::cout << "open: " << e.what() << "\n";
    }

    // Closing with a result: a statement is still alive, so sqlite3_close answers SQLITE_BUSY
    // and the binding throws instead of leaking silently.
    try {
        db.close();
    } catch (std::system_error const& e) {
        std::cout << "close: " << e.what() << (e.code().value() == SQLITE_BUSY ? " (SQLITE_BUSY)" : "") << "\n";
        // The connection is still open inside sqlite: sqlite3_close_v2 lets it close itself
        // when the statement's destructor finalizes it.
        sqlite3_close_v2(sqlite3_db_handle(insert.get()));
    }
    std::cout << "done\n";
}
