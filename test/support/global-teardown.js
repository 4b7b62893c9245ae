module.exports = require('./tmp-run').teardown;
