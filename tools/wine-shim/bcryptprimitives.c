/*
 * bcryptprimitives.dll for Wine 8, test runs only (never shipped).
 *
 * Rust's standard library (1.78+) takes its random numbers from
 * ProcessPrng in bcryptprimitives.dll, which Windows 10/11 have and Wine 8
 * does not: without it every Rust program stops at start-up under Wine.
 * This stand-in answers from RtlGenRandom (advapi32's SystemFunction036),
 * the generator Rust itself used before 1.78.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance; (void)reason; (void)reserved;
    return TRUE;
}
