-- ARGV: endpoint id. Its pending messages in this partition become failed (it was disabled).
return fail_pending(ARGV[1])
