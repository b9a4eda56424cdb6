// cbound::archive — threads, a mutex and a condition variable over pthreads (internal).
//
// The extraction pool needs a few worker threads, one lock and two wake-ups; a tarball's lazy
// fill needs a lock per stripe of entries. <thread>, <mutex> and <condition_variable> bring
// stop tokens, semaphores, timed waits and chrono conversions with them, about a twentieth of
// <filesystem> in every translation unit that includes extract.hpp or tarball.hpp. These
// wrappers are the pthread calls the standard ones make, with RAII and the same rules: a
// thread is joined before it is destroyed, a lock is released on every path, and the failure
// to start a thread throws std::system_error as std::thread does. TSan understands them as it
// does the standard ones (it intercepts pthreads).
#pragma once

#include <cstddef>
#include <system_error>
#include <utility>

#include <pthread.h>
#include <unistd.h>

namespace cbound::archive::detail {

/// A mutex (pthread_mutex_t, statically initialised: nothing to fail at construction).
class thread_mutex {
public:
    thread_mutex() noexcept = default;
    thread_mutex(thread_mutex const&) = delete;
    thread_mutex& operator=(thread_mutex const&) = delete;
    ~thread_mutex() { ::pthread_mutex_destroy(&mutex_); }

    /// Locks the mutex. A default mutex fails only when misused (EDEADLK, EINVAL), as std::mutex.
    void lock() noexcept { (void)::pthread_mutex_lock(&mutex_); }

    /// Unlocks the mutex.
    void unlock() noexcept { (void)::pthread_mutex_unlock(&mutex_); }

    /// The pthread mutex, for a condition variable's wait.
    [[nodiscard]] pthread_mutex_t* native_handle() noexcept { return &mutex_; }

private:
    pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
};

/// Holds a thread_mutex locked until destroyed; may be unlocked and locked again meanwhile.
class thread_lock {
public:
    /// Locks `mutex`.
    explicit thread_lock(thread_mutex& mutex) noexcept : mutex_(mutex) { mutex_.lock(); }
    thread_lock(thread_lock const&) = delete;
    thread_lock& operator=(thread_lock const&) = delete;
    ~thread_lock() {
        if (locked_) mutex_.unlock();
    }

    /// Unlocks the mutex before the end of the scope.
    void unlock() noexcept {
        mutex_.unlock();
        locked_ = false;
    }

    /// Locks the mutex again.
    void lock() noexcept {
        mutex_.lock();
        locked_ = true;
    }

    /// The mutex held.
    [[nodiscard]] thread_mutex& mutex() noexcept { return mutex_; }

private:
    thread_mutex& mutex_;
    bool locked_ = true;
};

/// A condition variable (pthread_cond_t, statically initialised).
class thread_condition {
public:
    thread_condition() noexcept = default;
    thread_condition(thread_condition const&) = delete;
    thread_condition& operator=(thread_condition const&) = delete;
    ~thread_condition() { ::pthread_cond_destroy(&condition_); }

    /// Waits, the lock released meanwhile, until `ready()` is true (checked under the lock).
    template <class Ready>
    void wait(thread_lock& lock, Ready ready) noexcept {
        while (!ready())
            (void)::pthread_cond_wait(&condition_, lock.mutex().native_handle());
    }

    /// Wakes every waiting thread.
    void notify_all() noexcept { (void)::pthread_cond_broadcast(&condition_); }

private:
    pthread_cond_t condition_ = PTHREAD_COND_INITIALIZER;
};

/// A thread running a function object; joined at the latest when destroyed.
class worker_thread {
public:
    /// Starts a thread running `run()` (which must not throw: like std::thread, an exception
    /// escaping it ends the program); throws std::system_error when the thread cannot start.
    template <class Run>
    explicit worker_thread(Run run) {
        auto* const owned = new Run(std::move(run));
        if (int const number = ::pthread_create(&thread_, nullptr, &start<Run>, owned); number != 0) {
            delete owned;
            throw std::system_error(number, std::generic_category(), "cannot start a thread");
        }
        joinable_ = true;
    }

    worker_thread(worker_thread&& other) noexcept
        : thread_(other.thread_), joinable_(std::exchange(other.joinable_, false)) {}
    worker_thread& operator=(worker_thread&&) = delete;
    worker_thread(worker_thread const&) = delete;
    worker_thread& operator=(worker_thread const&) = delete;
    ~worker_thread() { join(); }

    /// Waits for the thread to end (once; later calls do nothing).
    void join() noexcept {
        if (!joinable_) return;
        (void)::pthread_join(thread_, nullptr);
        joinable_ = false;
    }

    /// How many processors are online (at least 1), as std::thread::hardware_concurrency counts them.
    [[nodiscard]] static unsigned processors() noexcept {
        long const n = ::sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? static_cast<unsigned>(n) : 1u;
    }

private:
    template <class Run>
    static void* start(void* owned) noexcept {
        Run* const run = static_cast<Run*>(owned);
        (*run)();
        delete run;
        return nullptr;
    }

    pthread_t thread_{};
    bool joinable_ = false;
};

} // namespace cbound::archive::detail
