// Benchmarks: creating archives with cbound::archive::writer — from in-memory files (compare
// with raw_writer.cpp) and from a folder with add_tree (compare with bsdtar -cf).
#include "bench_main.hpp"
#include "workload.hpp"

#include <cbound/archive/writer.hpp>

#include <span>
#include <stdexcept>

namespace {

namespace cba = cbound::archive;

cba::filter filter_named(std::string const& name) {
    if (auto f = cba::filter_from_string(name)) return *f;
    throw std::invalid_argument("unknown filter " + name);
}

//   create <out> <set> <none|gzip|zstd>
void create(bench::arguments const& args, bench::report& r) {
    bench::materialized const set = bench::materialize(bench::parse_set(args.at(1)));
    cba::filter const compression = filter_named(args.at(2));
    r.values["ns"] = bench::measure([&] {
        auto w = cba::writer::open(args.at(0), cba::format::pax, compression);
        for (std::size_t i = 0; i < set.files.size(); ++i) {
            bench::file_spec const& f = set.files[i];
            w.add({.pathname = f.path, .perms = 0644}, std::span(set.data.data() + set.offset[i], f.size));
            bench::mix(r.checksum, f.size);
        }
        w.close();
    });
}

//   add_tree <dir> <out>: the folder's contents under "." as `bsdtar -cf out -C dir .` names them
void add_tree(bench::arguments const& args, bench::report& r) {
    r.values["ns"] = bench::measure([&] {
        auto w = cba::writer::open(args.at(1));
        cba::tree_options options;
        options.prefix = ".";
        w.add_tree(args.at(0), options);
        w.close();
    });
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() {
    return {{"create", create}, {"add_tree", add_tree}};
}
