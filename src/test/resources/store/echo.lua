-- echo.lua: answers its arguments, for the connection tests.
--
-- ARGV  anything, binary included
-- Returns ARGV as a list.
return ARGV
