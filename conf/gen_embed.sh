#!/bin/sh
# gen_embed.sh IN OUT: emit an assembler file holding IN as cfg_default_yaml[] (NUL-terminated)
# and its length as cfg_default_yaml_len.
set -eu
in=$(realpath "$1")
cat > "$2" <<EOS
	.section .rodata
	.global cfg_default_yaml
	.type cfg_default_yaml, @object
	.balign 16
cfg_default_yaml:
	.incbin "$in"
	.byte 0
cfg_default_yaml_end:
	.global cfg_default_yaml_len
	.type cfg_default_yaml_len, @object
	.balign 8
cfg_default_yaml_len:
	.quad cfg_default_yaml_end - cfg_default_yaml - 1
	.section .note.GNU-stack,"",@progbits
EOS
