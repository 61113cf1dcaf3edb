"""PDF of the Word document through LibreOffice headless, with the 公文 fonts mapped to Noto CJK.

Each conversion gets its own LibreOffice profile directory (so that parallel
workers do not fight over one) and FONTCONFIG_FILE pointing at
reports/summary/fonts/fonts.conf, which maps 方正小标宋简体, 仿宋_GB2312, 黑体,
楷体_GB2312 and 宋体 to Debian's fonts-noto-cjk faces.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
TIMEOUT_SECONDS = 180


class ConversionError(RuntimeError):
    """LibreOffice missing or failing; the message is for people."""


def soffice():
    """The LibreOffice binary, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx_bytes):
    """Convert .docx bytes to .pdf bytes; raises ConversionError with a Chinese message."""
    binary = soffice()
    if binary is None:
        raise ConversionError(_("服务器未安装 LibreOffice（soffice），无法生成 PDF。请安装 libreoffice-writer-nogui。"))
    with tempfile.TemporaryDirectory(prefix="zhengfa-pdf-") as tmp:
        tmp = Path(tmp)
        source = tmp / "summary.docx"
        source.write_bytes(docx_bytes)
        env = {
            **os.environ,
            "FONTCONFIG_FILE": str(FONTS_CONF),
            "HOME": str(tmp),
            "LANG": "zh_CN.UTF-8",
        }
        command = [
            binary,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(tmp),
            str(source),
        ]
        try:
            result = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as error:
            raise ConversionError(_("LibreOffice 转换 PDF 超时（%(s)d 秒）。") % {"s": TIMEOUT_SECONDS}) from error
        target = tmp / "summary.pdf"
        if result.returncode != 0 or not target.exists():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[-300:]
            raise ConversionError(_("LibreOffice 转换 PDF 失败：%(detail)s") % {"detail": detail or result.returncode})
        return target.read_bytes()
