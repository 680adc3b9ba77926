-- broken.lua: does not compile, for the test that Redis refusing a script is reported as such.
return +
