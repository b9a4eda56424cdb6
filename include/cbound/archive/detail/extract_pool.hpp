// cbound::archive — a small pool of threads that finish extracted files (internal).
//
// Decoding stays on the reading thread, and so does every name change but one: folders,
// links, renames and replacing what is there. A worker creates a new small file (openat2 with
// O_CREAT | O_EXCL | O_NOFOLLOW beneath the destination's descriptor, no symlink on the way:
// creation is the kernel's main cost per file), writes its data, extends it over a trailing
// hole, sets its mode and times, and closes it. A creation that meets anything unusual
// (something at the name, a missing folder, a symlink) does nothing and says so: the reading
// thread then does it the careful way. Archive order is the reading thread's to keep (it
// tracks the names in flight). The bytes in flight are bounded; the reading thread waits when
// the bound is reached. The pool owns no process-wide state and joins its threads on every
// path (its destructor finishes what was handed over, then joins).
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/extract_dirfd.hpp>
#include <cbound/archive/detail/fifo.hpp>
#include <cbound/archive/detail/threads.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/shared_box.hpp>
#include <cbound/posix.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

namespace cbound::archive::detail {

/// One small file to finish: its open descriptor, its data, and the metadata to set.
struct finish_job {
    /// A run of data at `offset` of the file, stored at `start` of `data`.
    struct piece {
        std::int64_t offset;
        std::size_t start, size;
    };
    unique_fd fd;               ///< the file, when the reading thread created it; closed by the worker
    int root = -1;              ///< else the destination (kept open by the reading thread) ...
    std::string relative;       ///< ... and the file's path below it, for the worker to create
    mode_t create_mode = 0;     ///< the mode to create it with
    std::vector<char> data;     ///< every piece, back to back
    std::vector<piece> pieces;  ///< where each piece goes (a sparse file has gaps between them)
    std::int64_t size = 0;      ///< the declared size: a file ending in a hole is extended to it
    bool set_mode = false;      ///< fchmod to `mode`
    mode_t mode = 0;            ///< the mode to set
    bool set_times = false;     ///< futimens to `times`
    struct timespec times[2]{}; ///< access and modification times
    // Written by the worker, read by the reading thread once `finished` says so.
    int create_error = 0;         ///< why the worker did not create the file (nothing done); 0 if it did
    int error = 0;                ///< the errno of the failed step; 0 when all went well
    char const* failed_step = ""; ///< what failed, for the entry's report row
    dev_t device = 0;             ///< the file's inode, to remove only this file after a failure
    ino_t inode = 0;
    /// Set (release) by the worker when all above is written; read with acquire. A plain bool
    /// under GCC's and Clang's __atomic builtins: <atomic> alone cost a fiftieth of <filesystem>.
    bool finished = false;

    /// Whether `finished` is set (acquire: what the worker wrote before is visible).
    [[nodiscard]] bool is_finished() const noexcept { return __atomic_load_n(&finished, __ATOMIC_ACQUIRE); }

    /// Sets `finished` (release: what this thread wrote is visible to whoever sees it set).
    void mark_finished() noexcept { __atomic_store_n(&finished, true, __ATOMIC_RELEASE); }
};

/// Worker threads that finish files handed over in archive order.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
template <class Deferred = void>
class basic_finish_pool {
public:
    /// Starts `threads` workers (at least one) and allows `max_bytes` of data in flight.
    basic_finish_pool(unsigned threads, std::size_t max_bytes) : max_bytes_(max_bytes) {
        unsigned const count = threads > 1 ? threads : 1;
        workers_.reserve(count);
        try {
            for (unsigned i = 0; i < count; ++i)
                workers_.emplace_back([this] { work(); });
        } catch (...) {
            stop(); // the workers started wait for work: they are told to end, then joined
            throw;
        }
    }

    basic_finish_pool(basic_finish_pool const&) = delete;
    basic_finish_pool& operator=(basic_finish_pool const&) = delete;

    /// Finishes what was handed over, then joins every worker.
    ~basic_finish_pool() { stop(); }

    /// Hands `job` over, first waiting while the bytes in flight would pass the bound (a job
    /// alone larger than the bound still goes, once nothing else is in flight).
    /// Idle workers are woken once every wake_batch jobs, or when the reading thread is about
    /// to wait: waking one per small file cost more (futex calls, switches) than the file.
    void submit(cbound::detail::shared_box<finish_job> job) {
        thread_lock lock(mutex_);
        std::size_t const bytes = job->data.size();
        auto const room = [&] { return in_flight_bytes_ == 0 || in_flight_bytes_ + bytes <= max_bytes_; };
        if (!room()) {
            announce(lock);
            wake_reader_.wait(lock, room);
        }
        in_flight_bytes_ += bytes;
        queue_.push_back(std::move(job));
        if (++unannounced_ < wake_batch) return;
        announce(lock);
    }

    /// Whether `job` is finished (its results may be read once this says true).
    [[nodiscard]] bool finished(finish_job const& job) {
        // No lock: the reading thread asks after every file, and taking the lock each time
        // made it and the workers contend (futex calls per file under strace).
        return job.is_finished();
    }

    /// Waits until `job` is finished.
    void wait(finish_job const& job) {
        thread_lock lock(mutex_);
        if (job.is_finished()) return;
        announce(lock);
        wake_reader_.wait(lock, [&] { return job.is_finished(); });
    }

    /// Finishes `job` on the calling thread: the steps a worker takes, for a file the reading
    /// thread had to create itself.
    static void finish_here(finish_job& job) noexcept { finish(job); }

private:
    /// Jobs handed over between two wakings of the workers.
    static constexpr std::size_t wake_batch = 16;

    /// Wakes the workers for the jobs queued since they were last woken; `lock` is held and
    /// stays held.
    void announce(thread_lock& lock) {
        if (unannounced_ == 0) return;
        unannounced_ = 0;
        lock.unlock();
        wake_workers_.notify_all();
        lock.lock();
    }

    /// Tells the workers to end once the queue is empty, and joins them.
    void stop() noexcept {
        {
            thread_lock lock(mutex_);
            stopping_ = true;
        }
        wake_workers_.notify_all();
        for (worker_thread& t : workers_)
            t.join();
    }

    void work() noexcept {
        cbound::detail::shared_box<finish_job> job;
        for (;;) {
            // One lock both marks the last job finished and takes the next one.
            bool const finished_one = job != nullptr;
            {
                thread_lock lock(mutex_);
                if (finished_one) {
                    in_flight_bytes_ -= job->data.size();
                    job->mark_finished();
                    job.reset();
                } else {
                    wake_workers_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                    if (queue_.empty()) return; // stopping, and nothing left to finish
                }
                if (!queue_.empty()) job = queue_.take_front();
            }
            if (finished_one) wake_reader_.notify_all();
            if (job) finish(*job);
        }
    }

    /// Creates the file unless the reading thread did, then writes it and sets its metadata; never throws.
    static void finish(finish_job& job) noexcept {
        if (!job.fd) {
            constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
            int const created = openat2_beneath(job.root, job.relative.c_str(), flags, job.create_mode);
            if (created < 0) {
                job.create_error = errno != 0 ? errno : EIO;
                return;
            }
            job.fd.reset(created);
        }
        int const fd = job.fd.get();
        auto failed = [&](char const* step) {
            job.error = errno != 0 ? errno : EIO;
            job.failed_step = step;
        };
        struct stat st {};
        if (::fstat(fd, &st) != 0) return failed("cannot inspect the file");
        job.device = st.st_dev;
        job.inode = st.st_ino;
        std::int64_t end = 0;
        for (finish_job::piece const& p : job.pieces) {
            char const* bytes = job.data.data() + p.start;
            std::size_t left = p.size;
            off_t offset = static_cast<off_t>(p.offset);
            while (left > 0) {
                ssize_t const n = retry_on_signal([&] { return ::pwrite(fd, bytes, left, offset); });
                if (n <= 0) {
                    if (n == 0) errno = EIO;
                    return failed("cannot write");
                }
                bytes += n;
                left -= static_cast<std::size_t>(n);
                offset += n;
            }
            if (std::int64_t const past = p.offset + static_cast<std::int64_t>(p.size); past > end) end = past;
        }
        if (job.size > end && ::ftruncate(fd, static_cast<off_t>(job.size)) != 0) return failed("cannot set the size");
        if (job.set_mode && ::fchmod(fd, job.mode) != 0) return failed("cannot set the mode");
        if (job.set_times && ::futimens(fd, job.times) != 0) return failed("cannot set the times");
        job.fd.reset();
    }

    thread_mutex mutex_;
    thread_condition wake_workers_, wake_reader_;
    cbound::detail::dependent_t<Deferred, fifo<cbound::detail::shared_box<finish_job>>> queue_;
    std::size_t in_flight_bytes_ = 0;
    std::size_t unannounced_ = 0; ///< jobs queued since the workers were last woken
    std::size_t const max_bytes_;
    bool stopping_ = false;
    cbound::detail::dependent_t<Deferred, std::vector<worker_thread>> workers_;
};

/// The finishing pool (the one instantiation there is).
using finish_pool = basic_finish_pool<>;

} // namespace cbound::archive::detail
