#include "textflag.h"

// func framePointer() uintptr
//
// NOFRAME: BP is still the caller's frame pointer.
TEXT ·framePointer(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ	BP, ret+0(FP)
	RET

// func load(addr uintptr) uintptr
TEXT ·load(SB), NOSPLIT|NOFRAME, $0-16
	MOVQ	addr+0(FP), AX
	MOVQ	(AX), AX
	MOVQ	AX, ret+8(FP)
	RET
