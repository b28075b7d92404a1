#pragma once
// Force-included (controller/CMakeLists.txt) into every file of the pure
// compile library, archway_controller_compile. Compile is pure (DESIGN.md §1):
// it must never see the Kubernetes client, so a file here that includes it
// fails to build instead of quietly pulling the network edge in:
// - controller/k8s/kube_client.h (and so the status writer, informers and
//   leader election, which include it) stops at an #error on this macro;
// - any cpprestsdk header stops at its first use of the poisoned `pplx`
//   namespace, which every cpprestsdk header includes.
// The library also does not link cpprestsdk, so a call into the client would
// not link either.

#define ARCHWAY_PURE_COMPILE 1
#pragma GCC poison pplx
