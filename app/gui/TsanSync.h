// Happens-before edges for ThreadSanitizer where the real synchronization is invisible to it:
// Debian's Qt is not instrumented and QThread::wait() returns through Qt's futex-based QMutex,
// so TSan does not see that everything the thread did precedes what follows wait(). A
// release(p) at the end of the thread's work paired with acquire(p) after wait() states that
// edge. Both compile to nothing outside a -fsanitize=thread build (scripts/run-tests.sh).
#pragma once

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace ms::tsan {

inline void release(void* addr) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(addr);
#else
  (void)addr;
#endif
}

inline void acquire(void* addr) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(addr);
#else
  (void)addr;
#endif
}

}  // namespace ms::tsan
