/* static_child: a statically linked program (no dynamic linker). */
#include <stdio.h>

int
main(void)
{
	printf("static_child: ran\n");
	return 9;
}
