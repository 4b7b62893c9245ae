module.exports = require('./tmp-run').setup;
