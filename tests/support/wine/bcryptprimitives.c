/* ProcessPrng, which Rust's standard library imports from bcryptprimitives.dll on Windows, for
 * Wine releases older than 9 (Debian 12 ships Wine 8) that lack that DLL. Windows has it; the
 * test puts this beside the binary only to run it under such a Wine. Built with mingw-w64. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length) {
        ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        length -= n;
    }
    return TRUE;
}
