#ifndef HTTPEXEC_CSECCOMP_SHIM_H
#define HTTPEXEC_CSECCOMP_SHIM_H
#include <seccomp.h>
#endif
