-- Fixture for package_require.lua: sets package.loaded itself and returns nothing.
package.loaded[...] = "set by module"
